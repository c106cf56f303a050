import { invalidField, AppError } from '../../http/app-error.js';
import { isCommonPassword } from '../../lib/common-passwords.js';

/** NIST SP 800-63B §3.1.1.2: 15 characters for single-factor, 8 with a second factor. */
export const ADMIN_PASSWORD_MIN = 15;
export const ADMIN_PASSWORD_MIN_WITH_SECOND_FACTOR = 8;
/** Long passphrases are welcome; past this we refuse rather than silently truncate. */
export const ADMIN_PASSWORD_MAX = 256;

/**
 * The administrator password rules: length only (no composition rules), not a common password,
 * not the account's own email. Length counts Unicode code points, as NIST asks.
 * @returns what is wrong, for a person to fix; empty when acceptable
 */
export function adminPasswordProblems(password: string, context: { email: string; hasSecondFactor?: boolean }): string[] {
  const problems: string[] = [];
  const length = [...password.normalize('NFKC')].length;
  const min = context.hasSecondFactor ? ADMIN_PASSWORD_MIN_WITH_SECOND_FACTOR : ADMIN_PASSWORD_MIN;
  if (length < min) problems.push(`must be at least ${min} characters (it has ${length}); a few unrelated words make a good one`);
  if (length > ADMIN_PASSWORD_MAX) problems.push(`must be at most ${ADMIN_PASSWORD_MAX} characters`);
  if (isCommonPassword(password)) problems.push('is on the list of commonly used passwords; choose another');
  const email = context.email.toLowerCase();
  const local = email.split('@')[0] ?? '';
  const lower = password.toLowerCase();
  if (lower === email || (local.length >= 4 && lower.includes(local))) problems.push('must not contain your email address');
  return problems;
}

/** @throws AppError password.rejected naming the field */
export function assertAdminPassword(password: string, context: { email: string }, pointer = '/password'): void {
  const problems = adminPasswordProblems(password, context);
  if (problems.length === 0) return;
  const base = invalidField('body', pointer, problems.join('; '));
  throw new AppError('password.rejected', `The password ${problems.join('; ')}.`, { errors: base.extra.errors ?? [] });
}
