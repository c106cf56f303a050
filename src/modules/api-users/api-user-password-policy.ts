import { AppError } from '../../http/app-error.js';
import { isCommonPassword } from '../../lib/common-passwords.js';

export const API_USER_PASSWORD_MIN = 8;
export const API_USER_PASSWORD_MAX = 256;

export interface PasswordContext {
  username: string;
  email: string | null;
  organizationName: string;
}

/**
 * The API user password rules of the dotdigital guide: at least 8 characters with at least one
 * digit or symbol, not containing the username, the email or the organization's name; plus a
 * common-password blocklist. Comparisons ignore case.
 * @returns what is wrong, for a person to fix; empty when acceptable
 */
export function apiUserPasswordProblems(password: string, context: PasswordContext): string[] {
  const problems: string[] = [];
  const length = [...password.normalize('NFKC')].length;
  if (length < API_USER_PASSWORD_MIN) problems.push(`must be at least ${API_USER_PASSWORD_MIN} characters (it has ${length})`);
  if (length > API_USER_PASSWORD_MAX) problems.push(`must be at most ${API_USER_PASSWORD_MAX} characters`);
  if (!/[^\p{L}]/u.test(password)) problems.push('must contain at least one digit or symbol');
  const lower = password.toLowerCase();
  const contains = (part: string | null | undefined) => !!part && part.length >= 3 && lower.includes(part.toLowerCase());
  if (contains(context.username) || contains(context.username.split('@')[0])) problems.push('must not contain the username');
  if (contains(context.email) || contains(context.email?.split('@')[0])) problems.push('must not contain the email address');
  if (contains(context.organizationName)) problems.push("must not contain the organization's name");
  if (isCommonPassword(password)) problems.push('is on the list of commonly used passwords');
  return problems;
}

/** @throws AppError password.rejected with the field pointer */
export function assertApiUserPassword(password: string, context: PasswordContext, pointer = '/password'): void {
  const problems = apiUserPasswordProblems(password, context);
  if (problems.length === 0) return;
  throw new AppError('password.rejected', `The password ${problems.join('; ')}.`, {
    errors: [{ location: 'body', pointer, detail: problems.join('; ') }],
  });
}
