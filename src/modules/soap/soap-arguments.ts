import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { TSchema } from 'typebox';
import { AppError, appError, type FieldError } from '../../http/app-error.js';
import { OPERATIONS } from './soap-wsdl.js';

/**
 * Turning the `soap` package's parse of a request element into the input the REST routes
 * validate, and validating it with the same TypeBox schemas, so SOAP and REST accept and refuse
 * the same values with the same messages. Typed elements arrive already read by their XSD type
 * (xsd-values.ts), so nothing is coerced here; pointers name the element path within the operation.
 */
const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, coerceTypes: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const compiled = new WeakMap<TSchema, ValidateFunction>();

export type SoapArgs = Record<string, unknown>;

/** Element text without the parser's extras: attributes dropped, `$value` unwrapped. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const object = value as Record<string, unknown>;
  if ('$value' in object) return plain(object.$value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(object)) if (key !== 'attributes') out[key] = plain(item);
  return out;
}

/** `<applications><application>a</application>…</applications>` -> ['a', …]; empty element -> []. */
export function listOf(wrapper: unknown, item: string): unknown[] | undefined {
  if (wrapper === undefined) return undefined;
  if (wrapper === null || wrapper === '') return [];
  const items = (wrapper as Record<string, unknown>)[item];
  if (items === undefined || items === null) return [];
  return Array.isArray(items) ? items : [items];
}

/** An element the operation does not declare is refused by name, as REST refuses unknown fields. */
export function assertKnownElements(operation: string, args: SoapArgs): void {
  const known = new Set(OPERATIONS[operation]!.input.map(([name]) => name));
  const unknown = Object.keys(args).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const errors: FieldError[] = unknown.map((name) => ({ location: 'body', pointer: `/${operation}/${name}`, detail: 'is not a known element' }));
    throw new AppError('request.invalid', errors.map((e) => `body ${e.pointer}: ${e.detail}`).join('; '), { errors });
  }
}

function pointerOf(issue: ErrorObject, prefix: string): string {
  let pointer = issue.instancePath;
  if (issue.keyword === 'required') pointer += `/${String(issue.params.missingProperty)}`;
  if (issue.keyword === 'additionalProperties') pointer += `/${String(issue.params.additionalProperty)}`;
  return `${prefix}${pointer}`;
}

/**
 * Validates (and fills defaults in) one value against a REST schema.
 * @example const body = validated(NewApiUserBody, input, '/CreateApiUser/api_user');
 * @throws AppError 400 request.invalid with one error per offending element
 */
export function validated<T>(schema: TSchema, value: unknown, prefix: string): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema as object);
    compiled.set(schema, validate);
  }
  if (validate(value)) return value as T;
  const errors: FieldError[] = (validate.errors ?? []).map((issue) => ({
    location: 'body',
    pointer: pointerOf(issue, prefix),
    detail: issue.keyword === 'additionalProperties' ? 'is not a known element' : (issue.message ?? 'is invalid'),
  }));
  throw new AppError('request.invalid', errors.map((e) => `body ${e.pointer}: ${e.detail}`).join('; '), { errors });
}

/**
 * The version a change is based on (If-Match in REST), already read as xs:int by typedArguments.
 * Missing: 428, so no client overwrites a change it has not seen (RFC 6585 §3, as REST).
 */
export function requireVersion(operation: string, value: unknown): number {
  if (value === undefined || value === null) {
    throw appError('precondition.required', `Send version with the version from your last read (GetApiUser returns it), so changes made by others are not overwritten.`);
  }
  if (typeof value !== 'number' || value < 0 || value > 999_999_999) {
    throw new AppError('request.invalid', `body /${operation}/version: must be between 0 and 999999999`, { errors: [{ location: 'body', pointer: `/${operation}/version`, detail: 'must be between 0 and 999999999' }] });
  }
  return value;
}

/**
 * Runs a service call whose validation errors point into the REST body (`/password`), pointing
 * them into the SOAP element instead (`/CreateApiUser/api_user/password`); code and detail stay.
 * @example await withPointersUnder('/CreateApiUser/api_user', () => createApiUser(…))
 */
export async function withPointersUnder<T>(prefix: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof AppError) || !error.extra.errors) throw error;
    const errors = error.extra.errors.map((e) => (e.location === 'body' ? { ...e, pointer: `${prefix}${e.pointer}` } : e));
    throw new AppError(error.code, error.detail, { ...error.extra, errors }, { cause: error });
  }
}
