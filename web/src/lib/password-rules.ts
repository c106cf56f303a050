export interface PasswordRule {
  label: string;
  met: boolean;
}

/**
 * The API user password rules the server enforces (docs/api-users.md), checked as the user
 * types. The server also refuses common passwords; that answer comes back as its `detail`.
 * @example passwordRules('Magento-sync-2026!', 'Magento-sync-2026!', ['apiuser-1@x.example', 'Acme Corp'])
 */
export function passwordRules(password: string, confirmation: string, forbidden: (string | null | undefined)[]): PasswordRule[] {
  const lower = password.toLowerCase();
  const contained = forbidden
    .filter((word): word is string => Boolean(word && word.trim().length >= 3))
    .flatMap((word) => [word.toLowerCase(), word.toLowerCase().split('@')[0] ?? ''])
    .filter((word) => word.length >= 3)
    .some((word) => lower.includes(word));
  return [
    { label: 'At least 8 characters', met: password.length >= 8 },
    { label: 'A digit or a symbol', met: /[^\p{L}]/u.test(password) },
    { label: 'Not containing the username, email or organization name', met: password.length > 0 && !contained },
    { label: 'Both passwords match', met: password.length > 0 && password === confirmation },
  ];
}
