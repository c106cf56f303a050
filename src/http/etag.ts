import { appError } from './app-error.js';

/** RFC 9110 §8.8.3: a strong ETag from the row version. @example etagOf(3) // '"3"' */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version a change is based on, from If-Match. Missing: 428 (RFC 6585 §3), so no client
 * overwrites a change it has not seen. Unparseable or `*`-less mismatch is left to the caller's
 * conditional update, which answers 412.
 * @example const version = requireIfMatch(request.headers['if-match']);
 */
export function requireIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === '') {
    throw appError('precondition.required', 'Send If-Match with the ETag from your last read (GET returns it), so changes made by others are not overwritten.');
  }
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  if (!match) throw appError('precondition.failed', `If-Match ${header} does not match the current version; read the resource again.`);
  return Number(match[1]);
}

export function staleVersion(what: string): never {
  throw appError('precondition.failed', `The ${what} was changed by someone else since you read it; read it again and retry.`);
}
