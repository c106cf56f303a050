import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { as, type TestSession } from './sessions.js';
import type { TestApp } from './test-app.js';

/** An API user an integration would hold: id, username and the password it authenticates with. */
export interface TestApiUser {
  id: string;
  username: string;
  password: string;
}

/**
 * A dotdigital-style API user with a typed password, usable at once.
 * @example const user = await createApiUser(t, owner, 'Magento-sync-2026!');
 */
export async function createApiUser(t: TestApp, owner: TestSession, password: string, applications = ['httpapi']): Promise<TestApiUser> {
  const response = await as(t.app, owner, {
    method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
    payload: { description: 'OAuth integration', password, password_confirmation: password, applications },
  });
  assert.equal(response.statusCode, 201, response.body);
  return { id: response.json().api_user.id, username: response.json().api_user.username, password };
}

/** PATCH an API user as its administrator would (current ETag, confirm the last-user warning). */
export async function changeApiUser(t: TestApp, owner: TestSession, id: string, payload: Record<string, unknown>): Promise<void> {
  const url = `/v1/organizations/${owner.organizationId}/api-users/${id}`;
  const etag = (await as(t.app, owner, { method: 'GET', url })).headers.etag as string;
  const response = await as(t.app, owner, { method: 'PATCH', url: `${url}?confirm=true`, payload, headers: { 'if-match': etag } });
  assert.equal(response.statusCode, 200, response.body);
}

/** application/x-www-form-urlencoded, as OAuth clients send it. */
export function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** RFC 6749 §2.3.1: form-urlencode client id and secret, then Basic; `raw` skips the encoding as many clients do. */
export function clientBasic(clientId: string, secret: string, raw = false): string {
  const encode = (value: string) => (raw ? value : new URLSearchParams({ v: value }).toString().slice(2));
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`, 'utf8').toString('base64')}`;
}

/** POST a form to an OAuth endpoint through app.inject. */
export function postForm(t: TestApp, url: string, params: Record<string, string>, headers: Record<string, string> = {}, remoteAddress?: string): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST', url, payload: form(params), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, ...(remoteAddress ? { remoteAddress } : {}),
  }) as Promise<LightMyRequestResponse>;
}

/** Gets an access token with client_secret_basic. */
export async function issueToken(t: TestApp, user: TestApiUser, params: Record<string, string> = {}, remoteAddress?: string): Promise<string> {
  const response = await postForm(t, '/oauth/token', { grant_type: 'client_credentials', ...params }, { authorization: clientBasic(user.username, user.password) }, remoteAddress);
  assert.equal(response.statusCode, 200, response.body);
  return response.json().access_token as string;
}

/** An integration's ES256 key pair; the public JWK is what gets registered. */
export async function createClientKeyPair(kid: string): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}

/** A private_key_jwt client assertion (RFC 7523 §3), valid for `lifetimeSeconds` from `now`. */
export async function signClientAssertion(
  privateKey: CryptoKey, options: { clientId: string; audience: string; kid?: string; now: Date; lifetimeSeconds?: number; jti?: string },
): Promise<string> {
  const iat = Math.floor(options.now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', ...(options.kid ? { kid: options.kid } : {}) })
    .setIssuer(options.clientId).setSubject(options.clientId).setAudience(options.audience)
    .setIssuedAt(iat).setExpirationTime(iat + (options.lifetimeSeconds ?? 60)).setJti(options.jti ?? crypto.randomUUID())
    .sign(privateKey);
}

/** Decodes a JWT's header and payload without verifying (for assertions on their content). */
export function decodeJwtParts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return { header: JSON.parse(Buffer.from(header!, 'base64url').toString()), payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()) };
}

/**
 * Two fixed P-256 public keys (their private halves were thrown away), for tests that only need
 * a valid key to register, e.g. the route walks of tenant isolation and privileges.
 */
export const FIXTURE_PUBLIC_JWKS = [
  { kty: 'EC', crv: 'P-256', x: 'Sg0gUwgUAVfhQxwfpSul8biS51o0Inn7p8Tm2BSVKKE', y: '1blPkiAmO41BOO3rMhsLC3x6dxZ73u9ql6G1M3izM1Q', kid: 'fixture-1' },
  { kty: 'EC', crv: 'P-256', x: 'a9AgTOQhtryS1VUowKklNk1VfKJU7bYj4hjvefiVPKk', y: 'wGEbhGsZ_U3aeOsZSuplgztpth30m7fOHgiHP7pocNs', kid: 'fixture-2' },
] as const;
