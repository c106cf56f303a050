import { InvalidScope, InvalidTarget } from './oauth-errors.js';

/** Read the API user's own account (GET /v2/account-info). */
export const ACCOUNT_READ_SCOPE = 'account:read';
/** The application keys X-Application and `resource` accept. */
const APPLICATION_KEY = /^[a-z][a-z0-9-]{1,39}$/;
/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** `app:<key>` for an application, so a resource server can check the scope as well as `aud`. @example applicationScope('httpapi') // 'app:httpapi' */
export function applicationScope(key: string): string {
  return `app:${key}`;
}

function scopeTokens(scope: string | undefined): string[] {
  const tokens = [...new Set((scope ?? '').split(' ').filter((t) => t !== ''))];
  const bad = tokens.find((t) => !SCOPE_TOKEN.test(t));
  if (bad !== undefined) throw new InvalidScope(`"${bad}" is not a valid scope token (RFC 6749 §3.3).`);
  return tokens;
}

/**
 * The application a token is for: `resource` (RFC 8707) or `audience`, else the one `app:<key>`
 * scope requested, else httpapi.
 * @example requestedApplication({ scope: 'app:salesforce' }) // 'salesforce'
 * @throws InvalidTarget when it is not an application key or two different ones are named
 */
export function requestedApplication(params: { resource?: string | undefined; audience?: string | undefined; scope?: string | undefined }): string {
  if (params.resource !== undefined && params.audience !== undefined && params.resource !== params.audience) {
    throw new InvalidTarget('resource and audience name different applications; a token is for one application.');
  }
  const appScopes = scopeTokens(params.scope).filter((t) => t.startsWith('app:'));
  const key = params.resource ?? params.audience ?? (appScopes.length === 1 ? appScopes[0]!.slice(4) : 'httpapi');
  if (!APPLICATION_KEY.test(key)) throw new InvalidTarget(`"${key}" is not an application key; name it as in X-Application, e.g. httpapi or salesforce.`);
  return key;
}

/**
 * The scope granted: what was asked, each checked against what the API user may do
 * (`app:<key>` of the token's application, `account:read`); by default both (RFC 6749 §3.3).
 * @example grantedScope('account:read', 'httpapi', ['httpapi']) // 'account:read'
 * @throws InvalidScope naming the first scope that is unknown or not allowed
 */
export function grantedScope(requested: string | undefined, application: string, assigned: readonly string[]): string {
  const tokens = scopeTokens(requested);
  if (tokens.length === 0) return [applicationScope(application), ACCOUNT_READ_SCOPE].join(' ');
  for (const token of tokens) {
    if (token === ACCOUNT_READ_SCOPE || token === applicationScope(application)) continue;
    if (token.startsWith('app:') && assigned.includes(token.slice(4))) {
      throw new InvalidScope(`${token} is for another application; a token is for one application (${application}). Request a separate token with resource=${token.slice(4)}.`);
    }
    throw new InvalidScope(`"${token}" is not a scope this API user may request; allowed: ${[applicationScope(application), ACCOUNT_READ_SCOPE].join(', ')}.`);
  }
  return tokens.join(' ');
}
