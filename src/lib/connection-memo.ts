import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

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
  private readonly byConnection = new WeakMap<object, { digest: Buffer; value: T }>();

  get(connection: object, credential: string, derive: (credential: string) => T): T {
    const digest = hash('sha256', this.salt + credential, 'buffer') as unknown as Buffer;
    const last = this.byConnection.get(connection);
    if (last && timingSafeEqual(digest, last.digest)) return last.value;
    const value = derive(credential);
    this.byConnection.set(connection, { digest, value });
    return value;
  }
}
