import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { AppDeps } from '../../http/deps.js';
import { decryptPrivateJwk } from './signing-key-crypto.js';
import { findNewestActiveSigningKey, listPublishedSigningKeys } from './signing-key.repository.js';
import { ensureActiveSigningKey, rotateSigningKey, SIGNING_ALGORITHM } from './signing-key.service.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config'>;

/** Published keys are re-read this often, so a key another instance added or retired is seen. */
const REFRESH_EVERY_MS = 60_000;
/** An unknown kid triggers a re-read at most this often: random kids cannot hammer the database. */
const UNKNOWN_KID_REFRESH_MS = 1_000;

/** A public signing key as the JWKS lists it (ES256, made by this module). */
export interface PublishedJwk {
  kty: string;
  kid: string;
  alg: string;
  use: string;
  crv: string;
  x: string;
  y: string;
}

export interface VerificationKey {
  key: CryptoKey;
  /** When the key leaves the JWKS; a token it signed is refused from then on. Null while active. */
  removeAfter: string | null;
}

interface SigningKey {
  kid: string;
  /** node:crypto key: signing through it is several times cheaper than WebCrypto's. */
  key: KeyObject;
  createdAt: string;
}

/**
 * The process's view of the signing keys: each key imported once and kept in memory. Signing
 * checks which key is active at most every ACTIVE_KEY_CHECK_MS, so a rotation by another instance
 * or the CLI takes effect within seconds (one made here, at once). Verification, the hot path,
 * re-reads the published keys once a minute or when a token names an unknown kid.
 */
/**
 * How long the active signing key is used before the database is asked again, so a rotation made
 * by another instance or the CLI is picked up within this time. Harmless meanwhile: a retired key
 * stays published for the longest token lifetime plus 5 minutes.
 */
const ACTIVE_KEY_CHECK_MS = 5_000;

export class SigningKeyStore {
  private signing: SigningKey | null = null;
  private signingCheckedAt = Number.NEGATIVE_INFINITY;
  private readonly verification = new Map<string, VerificationKey>();
  private verificationLoadedAt = Number.NEGATIVE_INFINITY;
  private verificationLoad: Promise<void> | null = null;

  constructor(private readonly deps: Deps) {}

  /**
   * The active key, rotated first when it is older than SIGNING_KEY_ROTATION_DAYS.
   * @example const { kid, key } = await store.signingKey();
   */
  async signingKey(): Promise<{ kid: string; key: KeyObject }> {
    let current = await this.activeKey();
    const rotateAt = Date.parse(current.createdAt) + this.deps.config.signingKeyRotationDays * 86_400_000;
    if (this.deps.clock.now().getTime() >= rotateAt) {
      // Several instances may notice at once; the compare-and-set lets one of them rotate.
      await rotateSigningKey(this.deps, { replacing: current.kid });
      this.signingCheckedAt = Number.NEGATIVE_INFINITY;
      current = await this.activeKey();
    }
    return { kid: current.kid, key: current.key };
  }

  /**
   * The active key without waiting, when it was checked within ACTIVE_KEY_CHECK_MS and is not due
   * for rotation; null otherwise (then `signingKey()` reads and rotates as needed). The hot path's.
   */
  signingKeyIfFresh(): { kid: string; key: KeyObject } | null {
    const current = this.signing;
    if (!current) return null;
    const now = this.deps.clock.now().getTime();
    if (now - this.signingCheckedAt >= ACTIVE_KEY_CHECK_MS) return null;
    if (now >= Date.parse(current.createdAt) + this.deps.config.signingKeyRotationDays * 86_400_000) return null;
    return { kid: current.kid, key: current.key };
  }

  /** The public key of `kid` if it is published (active, or retired and not yet removed). */
  async verificationKey(kid: string): Promise<VerificationKey | null> {
    const age = performance.now() - this.verificationLoadedAt;
    if (age > REFRESH_EVERY_MS || (!this.verification.has(kid) && age > UNKNOWN_KID_REFRESH_MS)) await this.loadVerificationKeys();
    return this.verification.get(kid) ?? null;
  }

  /** RFC 7517 §5: the JWK Set of published public keys (creating the first key if there is none). */
  async publishedJwks(): Promise<{ keys: Array<PublishedJwk> }> {
    await ensureActiveSigningKey(this.deps);
    const rows = await listPublishedSigningKeys(this.deps.db, this.deps.clock.now().toISOString());
    return { keys: rows.map((row) => JSON.parse(row.public_jwk) as PublishedJwk) };
  }

  private async activeKey(): Promise<SigningKey> {
    const now = this.deps.clock.now().getTime();
    if (this.signing && now - this.signingCheckedAt < ACTIVE_KEY_CHECK_MS) return this.signing;
    this.signingCheckedAt = now;
    const row = (await findNewestActiveSigningKey(this.deps.db)) ?? (await ensureActiveSigningKey(this.deps));
    if (this.signing?.kid === row.id) return this.signing;
    const privateJwk = decryptPrivateJwk(this.deps.secretKey, row.id, row.private_jwk_encrypted);
    const signing = { kid: row.id, key: createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' }), createdAt: row.created_at };
    this.signing = signing;
    return signing;
  }

  /** One load at a time; concurrent callers share it. */
  private loadVerificationKeys(): Promise<void> {
    this.verificationLoad ??= this.readVerificationKeys().finally(() => {
      this.verificationLoad = null;
    });
    return this.verificationLoad;
  }

  private async readVerificationKeys(): Promise<void> {
    const rows = await listPublishedSigningKeys(this.deps.db, this.deps.clock.now().toISOString());
    const published = new Set<string>();
    for (const row of rows) {
      published.add(row.id);
      const known = this.verification.get(row.id);
      if (known) {
        known.removeAfter = row.status === 'active' ? null : row.remove_after;
        continue;
      }
      const key = (await importJWK(JSON.parse(row.public_jwk) as JWK, row.algorithm)) as CryptoKey;
      this.verification.set(row.id, { key, removeAfter: row.status === 'active' ? null : row.remove_after });
    }
    for (const kid of [...this.verification.keys()]) if (!published.has(kid)) this.verification.delete(kid);
    this.verificationLoadedAt = performance.now();
  }
}
