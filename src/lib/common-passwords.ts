import { dictionary } from '@zxcvbn-ts/language-common';

let blocklist: Set<string> | undefined;

/**
 * Whether a password is on the list of ~49,000 commonly used passwords shipped by
 * @zxcvbn-ts/language-common (NIST SP 800-63B §3.1.1.2: check against known-compromised values).
 * A listed password with digits or symbols appended ('passwordpassword1', 'qwerty123456789!') is
 * refused too: that is how people make a listed password pass a plain lookup.
 * Built on first use, not at import.
 * @example isCommonPassword('Password123') // true
 */
export function isCommonPassword(password: string): boolean {
  blocklist ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  const lower = password.toLowerCase();
  const base = lower.replace(/\P{L}+$/u, '');
  return blocklist.has(lower) || (base !== '' && blocklist.has(base));
}
