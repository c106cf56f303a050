import { hash, verify, Algorithm } from '@node-rs/argon2';

/**
 * argon2id with OWASP's first recommended setting (m=19 MiB, t=2, p=1): typed passwords only.
 * Passwords are NFKC-normalized first (NIST SP 800-63B §5.1.1.2) so the same typed text always matches.
 * @example const stored = await hashPassword('correct horse battery staple');
 */
export async function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFKC'), { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

/** @example await verifyPassword(stored, typed) */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password.normalize('NFKC'));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as a real check when there is no user to check against, so an unknown
 * email and a wrong password cannot be told apart by timing.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('dummy password used only to spend time');
  await verifyPassword(await dummy, password);
  return false;
}
