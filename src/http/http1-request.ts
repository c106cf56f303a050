/**
 * A strict reader of the few HTTP/1.1 requests the fast lane answers (src/http/fast-lane.ts).
 * It accepts a narrow subset of RFC 9112 and says "not mine" to everything else, which then goes
 * to Node's own parser (llhttp) byte for byte: so whatever it accepts must be read by llhttp the
 * same way (same request line, same fields, same end of message), and nothing else matters.
 *
 * Accepted: a request line from the caller's list (`GET /v2/account-info HTTP/1.1`, exact bytes:
 * no query, no absolute form, no HTTP/1.0); field lines `name: value` with a token name, no space
 * before the colon, no control characters but HTAB in the value, no obs-fold (RFC 9112 §5); one
 * Host; each field name at most once; no Transfer-Encoding, Upgrade, Expect or TE; Connection
 * only `keep-alive`; a body only on routes that take one, framed by a plain decimal
 * Content-Length (RFC 9112 §6.3) within the route's limit; the head within 16 KiB (Node's
 * default maxHeaderSize) and 100 fields.
 */

/** Node's default `maxHeaderSize`: a longer head is refused by llhttp with 431, so it is left to it. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** More fields than any client of these routes sends; more goes to Node. */
export const MAX_FIELDS = 100;

/** What a request line may be, and the body it may carry (0: none). */
export interface RequestLineRule<R> {
  route: R;
  /** Longest body accepted, in bytes; 0 for a route without a body (GET). */
  maxBodyBytes: number;
}

/** One whole request of the accepted subset. Offsets are into the text that was read. */
export interface Http1Request<R> {
  route: R;
  method: string;
  /** The request target as sent (`/v1/verify` or `/v1/verify/`). */
  target: string;
  /** Field names lowercased, values without surrounding whitespace (as Node's `req.headers`). */
  headers: Record<string, string>;
  bodyStart: number;
  /** Where the next request starts. */
  end: number;
}

/** The text ends inside the request: wait for more bytes. */
export const INCOMPLETE = 'incomplete';

// RFC 9110 §5.6.2 token characters; a value is any octet but CTLs (HTAB allowed), read as latin1
// like Node does. The value class excludes CR and LF, so the match cannot backtrack into them.
const FIELD_LINE = /([!#$%&'*+.^_`|~0-9A-Za-z-]+):([^\x00-\x08\x0a-\x1f\x7f]*)\r\n/y;
const CONTENT_LENGTH = /^[0-9]{1,7}$/;
/** Fields whose presence means framing or protocol handling the fast lane does not do. */
const NOT_HERE = new Set(['transfer-encoding', 'upgrade', 'expect', 'te', 'http2-settings']);

/**
 * The lowercase field name, as a constant string for the names these routes' clients send (as
 * Node's matchKnownFields does): a property key V8 has already hashed and internalized, which
 * keeps building and reading the fields object cheap. Other names come back lowercased.
 */
function fieldName(raw: string): string {
  const name = raw.toLowerCase();
  switch (name) {
    case 'host': return 'host';
    case 'authorization': return 'authorization';
    case 'content-type': return 'content-type';
    case 'content-length': return 'content-length';
    case 'user-agent': return 'user-agent';
    case 'accept': return 'accept';
    case 'accept-encoding': return 'accept-encoding';
    case 'connection': return 'connection';
    case 'x-api-key': return 'x-api-key';
    case 'x-application': return 'x-application';
    case 'x-request-id': return 'x-request-id';
    case 'x-forwarded-for': return 'x-forwarded-for';
    case 'x-forwarded-host': return 'x-forwarded-host';
    case 'x-forwarded-proto': return 'x-forwarded-proto';
    default: return name;
  }
}

/** Trims RFC 9110 §5.5 OWS (SP and HTAB only; String#trim would also eat U+00A0, a latin1 byte). */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/**
 * Reads one request starting at `at` in `text` (bytes as latin1, one character per byte).
 * @returns the request; INCOMPLETE when the text ends inside an acceptable one; null when it is
 *   not one the fast lane takes (Node's parser reads it instead, from the same byte)
 * @example parseHttp1Request('GET /v2/account-info HTTP/1.1\r\nHost: a\r\n\r\n', 0, rules)
 */
export function parseHttp1Request<R>(text: string, at: number, rules: ReadonlyMap<string, RequestLineRule<R>>): Http1Request<R> | typeof INCOMPLETE | null {
  const headEnd = text.indexOf('\r\n\r\n', at);
  if (headEnd < 0) return text.length - at > MAX_HEAD_BYTES || !plausibleStart(text, at, rules) ? null : INCOMPLETE;
  if (headEnd + 4 - at > MAX_HEAD_BYTES) return null;
  const lineEnd = text.indexOf('\r\n', at);
  const line = text.slice(at, lineEnd);
  const rule = rules.get(line);
  if (!rule) return null;
  const space = line.indexOf(' ');
  const headers: Record<string, string> = {};
  let fields = 0;
  let position = lineEnd + 2;
  while (position < headEnd + 2) {
    FIELD_LINE.lastIndex = position;
    const match = FIELD_LINE.exec(text);
    if (!match || ++fields > MAX_FIELDS) return null;
    const name = fieldName(match[1]!);
    // Inherited names (constructor, __proto__) read as present too: such a request goes to Node.
    if (headers[name] !== undefined || NOT_HERE.has(name)) return null;
    headers[name] = trimOws(match[2]!);
    position = FIELD_LINE.lastIndex;
  }
  // RFC 9112 §3.2: a request without Host is answered 400 (Node does).
  if (headers.host === undefined) return null;
  const connection = headers.connection;
  if (connection !== undefined && connection.toLowerCase() !== 'keep-alive') return null;
  const bodyStart = headEnd + 4;
  const length = headers['content-length'];
  if (length === undefined) return rule.maxBodyBytes === 0 ? { route: rule.route, method: line.slice(0, space), target: line.slice(space + 1, line.length - 9), headers, bodyStart, end: bodyStart } : null;
  if (rule.maxBodyBytes === 0 || !CONTENT_LENGTH.test(length)) return null;
  const bytes = Number(length);
  if (bytes === 0 || bytes > rule.maxBodyBytes) return null;
  if (bodyStart + bytes > text.length) return INCOMPLETE;
  return { route: rule.route, method: line.slice(0, space), target: line.slice(space + 1, line.length - 9), headers, bodyStart, end: bodyStart + bytes };
}

/** Whether the text so far can still become an accepted request line (else it is Node's at once). */
function plausibleStart(text: string, at: number, rules: ReadonlyMap<string, RequestLineRule<unknown>>): boolean {
  const lineEnd = text.indexOf('\r\n', at);
  if (lineEnd >= 0) return rules.has(text.slice(at, lineEnd));
  // The line so far, maybe ending in its CR.
  const sofar = text.slice(at);
  for (const line of rules.keys()) if (`${line}\r`.startsWith(sofar)) return true;
  return false;
}
