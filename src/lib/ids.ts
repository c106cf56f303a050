import { randomUUID } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562 §5.7): time-ordered, so new rows append to indexes and ids sort by creation.
 * The 48-bit Unix time in milliseconds, version 7, then the random bits and variant of a v4 UUID
 * from randomUUID (74 random bits, as v7 has): randomUUID draws from a pooled buffer, where a
 * randomBytes(16) per id was a call into OpenSSL (an access token's jti is one per token).
 * @example newId() // '0193a1f2-7c4e-7b1a-9d2e-4f5a6b7c8d9e'
 */
export function newId(now: Date = new Date()): string {
  const time = now.getTime().toString(16).padStart(12, '0');
  // randomUUID: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx; from index 15 on, everything after the version digit.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** @example isId(req.params.id) */
export function isId(value: string): boolean {
  return UUID.test(value);
}
