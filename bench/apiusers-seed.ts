import type { ApiUsersInstance } from './apiusers-instance.js';
import { fillRequired, type DocumentedRoutes } from './openapi-routes.js';

export const OWNER_EMAIL = 'admin@bench.example';
const OWNER_PASSWORD = 'correct horse battery staple 2026';
/** Typed by the "administrator": argon2id on the first call, then the verification cache. */
export const API_USER_PASSWORD = 'Typed-bench-pw-2026';
const USER_PATH = '/v1/organizations/{org}/api-users/{id}';
export const KEYS_PATH = '/v1/organizations/{org}/api-users/{id}/keys';
/** A whole key, not its hint (`au_key_…9xQz`). */
const API_KEY = /^au_key_[0-9A-Za-z]{38}$/;

/** The organization and the administrator's personal access token, made the way an operator would. */
export interface Organization {
  id: string;
  accessToken: string;
}

export interface ApiUser {
  id: string;
  username: string;
  password: string;
}

/**
 * `apiusers init --password-stdin`, then `apiusers tokens create --json`. Both migrate the
 * database first, so this runs before the server starts.
 */
export async function seedOrganization(instance: ApiUsersInstance): Promise<Organization> {
  const init = JSON.parse(await instance.cli([
    'init', '--name', 'Bench Corp', '--owner-email', OWNER_EMAIL, '--owner-first-name', 'Bench', '--owner-last-name', 'Admin', '--password-stdin', '--json',
  ], `${OWNER_PASSWORD}\n`)) as { organization: { id: string } };
  const token = JSON.parse(await instance.cli(['tokens', 'create', '--email', OWNER_EMAIL, '--name', 'bench', '--json'])) as { token: string };
  return { id: init.organization.id, accessToken: token.token };
}

/** A call to the REST API as the organization's administrator. */
export async function adminCall(baseUrl: string, org: Organization, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${org.accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: response.status, json, headers: response.headers };
}

/**
 * dotdigital style: generated username, password typed twice, HttpApi. When this build has
 * rate-limit tiers the user is put on `unlimited`, as an administrator would for a bulk
 * integration: the cases measure verification, and a finite tier would answer 429 instead.
 * @returns the user, and a note when the tier could not be set
 */
export async function createApiUser(baseUrl: string, routes: DocumentedRoutes, org: Organization, description = 'bench'): Promise<ApiUser & { note: string | null }> {
  const created = await adminCall(baseUrl, org, 'POST', `/v1/organizations/${org.id}/api-users`, {
    description, password: API_USER_PASSWORD, password_confirmation: API_USER_PASSWORD, status: 'enabled', applications: ['httpapi'],
  });
  if (created.status !== 201) throw new Error(`POST …/api-users answered ${created.status}: ${JSON.stringify(created.json)}`);
  const user = (created.json as { api_user: { id: string; username: string } }).api_user;
  const path = `/v1/organizations/${org.id}/api-users/${user.id}`;
  let note: string | null = null;
  if (routes.bodySchema('patch', USER_PATH)?.properties?.rate_limit_tier) {
    const changed = await fetch(`${baseUrl}${path}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${org.accessToken}`, 'content-type': 'application/json', 'if-match': created.headers.get('etag') ?? '*' },
      body: JSON.stringify({ rate_limit_tier: 'unlimited' }),
    });
    if (!changed.ok) note = `could not set rate_limit_tier unlimited (PATCH answered ${changed.status}: ${(await changed.text()).slice(0, 200)})`;
    else await changed.arrayBuffer();
  }
  return { id: user.id, username: user.username, password: API_USER_PASSWORD, note };
}

/** The first string in `value` (searched depth first) that matches `pattern`. */
export function findString(value: unknown, pattern: RegExp): string | null {
  if (typeof value === 'string') return pattern.test(value) ? value : null;
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) {
      const found = findString(item, pattern);
      if (found) return found;
    }
  }
  return null;
}

/**
 * `POST …/api-users/{id}/keys` → `{ key: 'au_key_…' }`, or why there is no key.
 * @returns the key, or a one-line reason
 */
export async function createApiKey(baseUrl: string, routes: DocumentedRoutes, org: Organization, user: ApiUser, name = 'bench'): Promise<{ key: string } | { unavailable: string }> {
  if (!routes.has('post', KEYS_PATH)) return { unavailable: `POST ${KEYS_PATH} is not in /openapi.json` };
  const body = fillRequired(routes.bodySchema('post', KEYS_PATH), { name });
  const { status, json } = await adminCall(baseUrl, org, 'POST', `/v1/organizations/${org.id}/api-users/${user.id}/keys`, body);
  const key = findString(json, API_KEY);
  if (status >= 300 || !key) return { unavailable: `POST ${KEYS_PATH} answered ${status} without an au_key_: ${JSON.stringify(json).slice(0, 200)}` };
  return { key };
}
