import { crc32 } from 'node:zlib';
import { BASE62, randomBase62 } from './random.js';

/**
 * Credential format `au_<kind>_<32 base62 random chars><6 base62 CRC32 chars>` (GitHub style):
 * a secret scanner can check a token offline, and the server rejects a malformed token before
 * any database read.
 */
export const CREDENTIAL_KINDS = ['pat', 'key', 'sec'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const FORMAT = /^au_(pat|key|sec)_([0-9A-Za-z]{38})$/;
/** Every kind's credentials are this long: `au_`, three letters, `_`, 32 + 6 characters. */
export const CREDENTIAL_LENGTH = 7 + RANDOM_LENGTH + CHECKSUM_LENGTH;

function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** @example generateCredential('pat') // 'au_pat_4fT…k2Zq9x' */
export function generateCredential(kind: CredentialKind): string {
  const body = `au_${kind}_${randomBase62(RANDOM_LENGTH)}`;
  return body + checksum(body);
}

/**
 * Parses without I/O; `null` when the shape or the checksum is wrong.
 * @example parseCredential(token)?.kind === 'pat'
 */
export function parseCredential(token: string): { kind: CredentialKind } | null {
  const match = FORMAT.exec(token);
  if (!match) return null;
  const body = token.slice(0, token.length - CHECKSUM_LENGTH);
  if (checksum(body) !== token.slice(-CHECKSUM_LENGTH)) return null;
  return { kind: match[1] as CredentialKind };
}

/** What may be shown after creation: the prefix and the last four characters. */
export function credentialHint(token: string): string {
  return `${token.slice(0, 7)}…${token.slice(-4)}`;
}
