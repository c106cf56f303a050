import type { TSchema } from 'typebox';
import { AppError } from '../http/app-error.js';
import { createValidatorCompiler } from '../http/validation.js';
import { CliError } from './output.js';

/** Body field -> the flag a CLI user typed for it, e.g. `{ first_name: '--first-name' }`. */
export type FlagNames = Record<string, string>;

function flagOf(pointer: string, flags: FlagNames): string {
  const field = pointer.split('/')[1] ?? '';
  return flags[field] ?? (field || 'input');
}

/**
 * Checks what the flags add up to against the route's own body schema, with the server's
 * validator, so the CLI accepts exactly what the REST API accepts (formats, lengths, keys).
 * A rejected value is bad usage: exit 2, naming the flag.
 * @example assertValidBody(NewApiUserBody, { email: 'not-an-email' }, { email: '--email' }) // throws "--email: must match format "email""
 */
export function assertValidBody(schema: TSchema, body: Record<string, unknown>, flags: FlagNames): void {
  const validate = createValidatorCompiler()({ schema, method: 'POST', url: '/cli', httpPart: 'body' });
  if (validate(body) === true) {
    // PostgreSQL text cannot hold U+0000; the HTTP API refuses it too (reject-nul.ts).
    const withNul = Object.entries(body).find(([, v]) => (Array.isArray(v) ? v : [v]).some((s) => typeof s === 'string' && s.includes('\u0000')));
    if (withNul) throw new CliError(`${flags[withNul[0]] ?? withNul[0]}: must not contain the NUL character (U+0000)`, 2);
    return;
  }
  const issue = validate.errors?.[0];
  const pointer = issue?.instancePath ?? '';
  throw new CliError(`${flagOf(pointer, flags)}: ${issue?.message ?? 'is invalid'}`, 2);
}

/**
 * A service's field error (400 or password.rejected) re-worded with the flag instead of the JSON
 * pointer; other errors pass through unchanged.
 * @example catch (error) { throw inFlagTerms(error, API_USER_FLAGS); }
 */
export function inFlagTerms(error: unknown, flags: FlagNames): unknown {
  if (!(error instanceof AppError)) return error;
  const field = error.extra.errors?.[0];
  if (!field || field.location !== 'body') return error;
  const detail = error.code === 'password.rejected' ? error.detail : field.detail;
  return new CliError(`${flagOf(field.pointer, flags)}: ${detail}`);
}
