import { AppError, type FieldError } from '../../http/app-error.js';
import { OPERATIONS, TYPES, type Field } from './soap-wsdl.js';

/**
 * Strict reading of the typed elements of a request, by the XSD of the WSDL. The `soap` package
 * would convert xs:int with parseInt ("1.5" -> 1, "-0x10" -> -0) and xs:boolean with a
 * comparison ("yes" -> false) without a word, and only when it recognises the envelope's prefix;
 * so its conversion is turned off (RAW_TEXT) and every value is checked here, whatever the
 * prefix, with a fault naming the element, as REST names a field.
 */

/** The XSD built-in types the soap package converts (lib/wsdl/index.js, ontext). */
const CONVERTED_TYPES = ['int', 'integer', 'short', 'long', 'double', 'float', 'decimal', 'bool', 'boolean', 'dateTime', 'date'];

/**
 * The soap package's `customDeserializer` option, keeping the text of every element it would
 * convert. Text split by a comment or CDATA arrives in pieces: they are joined, as XML joins them.
 * @example listen(null, { …, customDeserializer: RAW_TEXT })
 */
export const RAW_TEXT: Record<string, (text: string, top: { object: unknown }) => string> = Object.fromEntries(
  CONVERTED_TYPES.map((type) => [type, (text: string, top: { object: unknown }) => {
    const object = top.object as Record<string, unknown> | string;
    const before = typeof object === 'string' ? object : object?.$value;
    return typeof before === 'string' ? before + text : text;
  }]),
);

/** XML Schema 1.0 Part 2 §3.3.17 int: an optional sign and decimal digits (whitespace collapsed). */
const INT = /^[+-]?[0-9]+$/;
const INT_RANGE = [-2147483648, 2147483647] as const;
/** XML Schema 1.0 Part 2 §3.2.2.1 boolean: exactly true, false, 1 or 0. */
const BOOLEANS: Record<string, boolean> = { true: true, false: false, 1: true, 0: false };

type Issue = Pick<FieldError, 'pointer' | 'detail'>;

/**
 * Text kept exactly as sent (xs:string preserves whitespace, XML Schema Part 2 §3.2.1), as REST
 * keeps a JSON string: a password with a trailing space is that password. Every other text
 * element is trimmed, so a pretty-printed `<id>\n  0193…\n</id>` reads as the id.
 */
const EXACT_TEXT = new Set(['password', 'password_confirmation']);

function readInt(text: string): number | Issue['detail'] {
  if (!INT.test(text)) return 'must be an integer (xs:int: digits with an optional sign)';
  const value = Number(text);
  return value >= INT_RANGE[0] && value <= INT_RANGE[1] ? value : `must be an integer between ${INT_RANGE[0]} and ${INT_RANGE[1]} (xs:int)`;
}

function readBoolean(text: string): boolean | Issue['detail'] {
  return Object.hasOwn(BOOLEANS, text) ? BOOLEANS[text]! : 'must be true, false, 1 or 0 (xs:boolean)';
}

/**
 * One element's value by its declared type. An empty or xsi:nil element is null, except that an
 * empty xs:string is '' (the soap package reads it as '' or null depending on the prefix).
 */
function readValue(name: string, type: string, value: unknown, pointer: string, issues: Issue[]): unknown {
  if (value === null || value === undefined) return type === 'xs:string' ? '' : value;
  if (type.startsWith('tns:')) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      issues.push({ pointer, detail: 'must hold elements, not text' });
      return value;
    }
    return readFields(TYPES[type.slice(4)]!, value as Record<string, unknown>, pointer, issues);
  }
  if (typeof value !== 'string') {
    issues.push({ pointer, detail: 'must be text, not elements' });
    return value;
  }
  // XML Schema Part 2 §4.3.6: int and boolean collapse whitespace.
  if (type === 'xs:string') return EXACT_TEXT.has(name) ? value : value.trim();
  const read = type === 'xs:int' ? readInt(value.trim()) : type === 'xs:boolean' ? readBoolean(value.trim()) : value;
  if (typeof read === 'string') {
    issues.push({ pointer, detail: read });
    return value;
  }
  return read;
}

/** The declared fields of `object`, read by type; undeclared ones are left for the schema checks. */
function readFields(fields: readonly Field[], object: Record<string, unknown>, at: string, issues: Issue[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...object };
  for (const [name, type, occurs = ''] of fields) {
    if (!Object.hasOwn(object, name)) continue;
    const value = object[name];
    const pointer = `${at}/${name}`;
    if (occurs === '*') {
      out[name] = (Array.isArray(value) ? value : [value]).map((item, index) => readValue(name, type, item, Array.isArray(value) ? `${pointer}/${index}` : pointer, issues));
    } else if (Array.isArray(value)) {
      issues.push({ pointer, detail: 'must appear once' });
    } else {
      out[name] = readValue(name, type, value, pointer, issues);
    }
  }
  return out;
}

/**
 * The arguments of an operation with xs:int elements as numbers and xs:boolean ones as booleans,
 * every value checked against the lexical space of its type.
 * @example typedArguments('DeleteApiUser', { id: '…', version: '3', confirm: 'true' }) // { id: '…', version: 3, confirm: true }
 * @throws AppError 400 request.invalid with one error per offending element (`/DeleteApiUser/version`)
 */
export function typedArguments(operation: string, args: Record<string, unknown>): Record<string, unknown> {
  const issues: Issue[] = [];
  const typed = readFields(OPERATIONS[operation]!.input, args, `/${operation}`, issues);
  if (issues.length > 0) {
    const errors: FieldError[] = issues.map((issue) => ({ location: 'body', ...issue }));
    throw new AppError('request.invalid', errors.map((e) => `body ${e.pointer}: ${e.detail}`).join('; '), { errors });
  }
  return typed;
}
