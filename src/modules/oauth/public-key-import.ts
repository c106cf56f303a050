import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, importJWK, importSPKI, type JWK } from 'jose';
import { invalidField } from '../../http/app-error.js';
import { ASSERTION_ALGORITHMS } from './client-assertion.js';

/** A public key ready to store: only its public members, its thumbprint and kid. */
export interface ImportedPublicKey {
  jwk: JWK;
  thumbprint: string;
  keyId: string;
}

/** Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const CURVE_ALGORITHM: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512', Ed25519: 'EdDSA' };
const MIN_RSA_BITS = 2048;

/** The public members of a JWK (RFC 7638 §3.2 lists the required ones), plus kid, alg and use. */
function publicMembers(jwk: JWK): JWK {
  const required = jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  // EC and OKP curves fix the algorithm; RSA keys may sign RS256 or PS256 unless alg says which.
  const alg = jwk.alg ?? (jwk.kty === 'RSA' ? undefined : CURVE_ALGORITHM[jwk.crv ?? '']);
  return { ...required, ...(jwk.kid ? { kid: jwk.kid } : {}), ...(alg ? { alg } : {}), use: 'sig' } as JWK;
}

/**
 * Checks one uploaded JWK and keeps its public part.
 * @example await importPublicJwk(jwk, '/keys/0')
 * @throws AppError request.invalid naming the key: a private key, an unsupported type, a bad key
 */
export async function importPublicJwk(input: JWK, pointer: string): Promise<ImportedPublicKey> {
  const privateMember = PRIVATE_MEMBERS.find((m) => m in input);
  if (privateMember) throw invalidField('body', pointer, `is a private or secret key (it has "${privateMember}"); upload only the public key and keep the private key with the integration`);
  if (!['EC', 'RSA', 'OKP'].includes(input.kty ?? '')) throw invalidField('body', `${pointer}/kty`, 'must be EC, RSA or OKP');
  if (input.use !== undefined && input.use !== 'sig') throw invalidField('body', `${pointer}/use`, 'must be "sig": the key signs client assertions');
  if (input.alg !== undefined && !ASSERTION_ALGORITHMS.includes(input.alg)) throw invalidField('body', `${pointer}/alg`, `must be one of ${ASSERTION_ALGORITHMS.join(', ')}`);
  if (input.kty !== 'RSA' && !CURVE_ALGORITHM[input.crv ?? '']) throw invalidField('body', `${pointer}/crv`, 'must be P-256, P-384, P-521 or Ed25519');
  const jwk = publicMembers(input);
  try {
    await importJWK(jwk, jwk.alg ?? 'RS256');
  } catch {
    throw invalidField('body', pointer, `is not a valid ${input.kty} public key${jwk.alg ? ` for ${jwk.alg}` : ''}`);
  }
  if (jwk.kty === 'RSA' && Buffer.from(jwk.n ?? '', 'base64url').length * 8 < MIN_RSA_BITS) throw invalidField('body', `${pointer}/n`, `must be an RSA key of at least ${MIN_RSA_BITS} bits`);
  const thumbprint = await calculateJwkThumbprint(jwk);
  return { jwk, thumbprint, keyId: jwk.kid ?? thumbprint };
}

/** The JWS algorithm a SPKI key is for (jose needs one to import it). */
function algorithmOfSpki(pem: string): string {
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem', type: 'spki' });
  } catch {
    throw invalidField('body', '/pem', 'is not a PEM SPKI public key ("-----BEGIN PUBLIC KEY-----")');
  }
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'rsa-pss') return 'PS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  const curve = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'ec' && curve) return curve;
  throw invalidField('body', '/pem', 'must be an EC (P-256, P-384, P-521), RSA or Ed25519 public key');
}

/**
 * A PEM SPKI public key, as OpenSSL writes it (`openssl ec -pubout`), converted to a JWK.
 * @example const { jwk, thumbprint } = await importPublicPem(pem, 'magento-2026');
 * @throws AppError request.invalid for a private key or anything but SPKI
 */
export async function importPublicPem(pem: string, kid: string | undefined): Promise<ImportedPublicKey> {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw invalidField('body', '/pem', 'is a private key; upload the public key (openssl pkey -pubout) and keep the private key with the integration');
  const alg = algorithmOfSpki(pem);
  const jwk = await exportJWK(await importSPKI(pem.trim(), alg, { extractable: true }));
  return importPublicJwk({ ...jwk, ...(kid ? { kid } : {}), ...(alg === 'RS256' || alg === 'PS256' ? {} : { alg }) }, '/pem');
}
