import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

const FORMAT = 'v1';
const HKDF_SALT = 'apiusers';
const HKDF_INFO = 'signing-key-encryption/v1';

/**
 * The AES-256 key that wraps private signing keys at rest, derived from SECRET_KEY with HKDF
 * (RFC 5869) under its own label, so it is independent of every HMAC the secret also keys.
 */
function wrappingKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, HKDF_SALT, HKDF_INFO, 32));
}

/**
 * Encrypts a private JWK with AES-256-GCM; the kid is the associated data, so a ciphertext moved
 * to another row does not decrypt.
 * @example const stored = encryptPrivateJwk(secretKey, kid, privateJwk); // 'v1.<iv>.<ciphertext>.<tag>'
 */
export function encryptPrivateJwk(secretKey: Buffer, kid: string, jwk: JWK): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey(secretKey), iv);
  cipher.setAAD(Buffer.from(kid));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return [FORMAT, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/**
 * @example const jwk = decryptPrivateJwk(secretKey, row.id, row.private_jwk_encrypted);
 * @throws Error when the text was not made by encryptPrivateJwk with this SECRET_KEY and kid
 */
export function decryptPrivateJwk(secretKey: Buffer, kid: string, text: string): JWK {
  const [format, iv, ciphertext, tag] = text.split('.');
  if (format !== FORMAT || !iv || !ciphertext || !tag) throw new Error(`signing key ${kid}: unknown encryption format`);
  const decipher = createDecipheriv('aes-256-gcm', wrappingKey(secretKey), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')) as JWK;
  } catch (error) {
    throw new Error(`signing key ${kid} does not decrypt with this SECRET_KEY (was SECRET_KEY changed?)`, { cause: error });
  }
}
