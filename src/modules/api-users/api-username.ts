import { randomDigits } from '../../lib/random.js';

/**
 * API user names are generated email-shaped identifiers (dotdigital: "Accept the randomly
 * generated Email address"): `apiuser-<12 random digits>@<API_USER_DOMAIN>`, never edited later.
 * @example generateApiUsername('apiconnector.example') // 'apiuser-038271645590@apiconnector.example'
 */
export function generateApiUsername(domain: string): string {
  return `apiuser-${randomDigits(12)}@${domain}`;
}

/** @example isApiUsername('apiuser-038271645590@apiconnector.example', 'apiconnector.example') // true */
export function isApiUsername(value: string, domain: string): boolean {
  const match = /^apiuser-(\d{12})@(.+)$/.exec(value);
  return match !== null && match[2] === domain;
}
