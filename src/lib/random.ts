import { randomBytes, randomInt } from 'node:crypto';

/**
 * The one source of randomness for secrets and generated names, so tests can reason about it
 * and reviewers find every use in one place. Backed by the OS CSPRNG.
 */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Uniform random base62 string (randomInt rejects biased values).
 * 22 characters carry 131 bits; we use 32 (190 bits) for credentials.
 * @example randomBase62(32)
 */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}

/** @example randomDigits(12) // '038271645590' */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** @example randomToken() // 43 url-safe characters, 256 bits */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** @example randomKeyMaterial(32) */
export function randomKeyMaterial(bytes: number): Buffer {
  return randomBytes(bytes);
}
