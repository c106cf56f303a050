import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA-256 under the server secret ("pepper"): how generated secrets (tokens, session ids,
 * one-time links) are stored. They carry >= 128 bits, so a fast keyed hash is safe, and a slow
 * one on every request would be a denial of service.
 * @example keyedHash(secretKey, 'session', token)
 */
export function keyedHash(key: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', key).update(purpose).update('\0').update(value).digest('base64url');
}

/** Constant-time comparison of two strings of possibly different length. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
