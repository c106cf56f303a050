import { hash, randomBytes } from 'node:crypto';

/**
 * Per connection, what was derived from the last credential it presented (its HMAC cache key).
 * Keep-alive clients send the same credential on every request, so the same connection presenting
 * it again skips the derivation. The credential itself is not kept: only a SHA-256 of it under a
 * random per-process salt, compared in constant time (a load balancer may carry several clients'
 * requests on one connection, so the comparison must not tell them how close a guess was).
 * Entries go with their connection (a WeakMap on the socket).
 * @example const cacheKey = memo.get(req.socket, header, (h) => keyedHash(secret, 'api_key', h));
 */
export class ConnectionMemo<T> {
  private readonly salt = randomBytes(16).toString('base64');
  private readonly byConnection = new WeakMap<object, { digest: string; value: T }>();

  get(connection: object, credential: string, derive: (credential: string) => T): T {
    // A 32-character 'binary' (latin1) string: a Buffer result costs more than the hash itself.
    const digest = hash('sha256', this.salt + credential, 'binary');
    const last = this.byConnection.get(connection);
    if (last && sameDigest(digest, last.digest)) return last.value;
    const value = derive(credential);
    this.byConnection.set(connection, { digest, value });
    return value;
  }
}

/** Compares two 32-character digests without an early exit (timingSafeEqual would need Buffers). */
function sameDigest(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
