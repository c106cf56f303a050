import type { Executor } from '../../db/database.js';
import { appError } from '../../http/app-error.js';
import { addSeconds } from '../../lib/clock.js';
import { keyedHash } from '../../lib/keyed-hash.js';
import { clearCounter, incrementCounter, readCounter } from './rate-limit.repository.js';

/** Failed sign-ins allowed per window: per account (guessing one password) and per IP (spraying). */
export const SIGN_IN_LIMITS = { perAccount: 10, perIp: 100, windowSeconds: 15 * 60 } as const;

function keys(secretKey: Buffer, email: string, ip: string | null): string[] {
  return [`sign-in:account:${keyedHash(secretKey, 'rate', email)}`, ...(ip ? [`sign-in:ip:${keyedHash(secretKey, 'rate', ip)}`] : [])];
}

/**
 * Refuses before any password work when either counter is spent, so argon2 cannot be used to
 * burn the CPU. The answer is the same whether or not the account exists.
 */
export async function assertSignInAllowed(db: Executor, secretKey: Buffer, now: Date, email: string, ip: string | null): Promise<void> {
  const [accountKey, ipKey] = keys(secretKey, email, ip);
  const limits = [[accountKey, SIGN_IN_LIMITS.perAccount], [ipKey, SIGN_IN_LIMITS.perIp]] as const;
  for (const [key, limit] of limits) {
    if (!key) continue;
    const counter = await readCounter(db, key, now.toISOString());
    if (counter && counter.count >= limit) {
      const retryAfter = Math.max(1, Math.ceil((Date.parse(counter.resetAt) - now.getTime()) / 1000));
      throw appError('auth.too_many_attempts', `Too many failed sign-ins; try again in ${Math.ceil(retryAfter / 60)} minute(s).`, {
        headers: { 'retry-after': String(retryAfter) },
        retry_after: retryAfter,
      });
    }
  }
}

export async function recordSignInFailure(db: Executor, secretKey: Buffer, now: Date, email: string, ip: string | null): Promise<void> {
  const resetAt = addSeconds(now, SIGN_IN_LIMITS.windowSeconds).toISOString();
  for (const key of keys(secretKey, email, ip)) await incrementCounter(db, key, now.toISOString(), resetAt);
}

/** A successful sign-in clears the account's counter (not the IP's). */
export async function clearSignInFailures(db: Executor, secretKey: Buffer, email: string): Promise<void> {
  const [accountKey] = keys(secretKey, email, null);
  await clearCounter(db, accountKey!);
}
