import { InvalidClient, InvalidRequest } from './oauth-errors.js';
import type { FormBody } from './form-body.js';

/** RFC 7523 §2.2: the client_assertion_type of private_key_jwt. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** What the client presented; `candidates` are the (client id, secret) readings to try in order. */
export type ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; candidates: Array<{ clientId: string; secret: string }> }
  | { method: 'private_key_jwt'; clientId: string | null; assertion: string };

/** application/x-www-form-urlencoded decoding (`+` is a space); null when a %-escape is broken. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

/**
 * RFC 6749 §2.3.1: the client id and secret are form-urlencoded, then joined by ":" and base64
 * encoded. Many clients skip the encoding, so the raw reading is kept as a second candidate
 * (only different when the secret holds "%", "+" or an encoded ":").
 */
function readBasic(header: string): Array<{ clientId: string; secret: string }> {
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header);
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClient('The Basic credentials are not base64 of "client_id:client_secret" (RFC 6749 §2.3.1).');
  const raw = { clientId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  const clientId = formDecode(raw.clientId);
  const secret = formDecode(raw.secret);
  const candidates = clientId !== null && secret !== null ? [{ clientId, secret }] : [];
  if (!candidates.some((c) => c.clientId === raw.clientId && c.secret === raw.secret)) candidates.push(raw);
  return candidates;
}

/**
 * Reads the client's credentials from the Authorization header and the form body. RFC 6749 §2.3:
 * a client must use exactly one authentication method per request.
 * @example readClientCredentials(request.headers.authorization, body)
 * @throws InvalidRequest when methods are mixed or a parameter is missing, InvalidClient when none is used
 */
export function readClientCredentials(authorization: string | undefined, body: FormBody): ClientCredentials {
  const usesAssertion = body.client_assertion !== undefined || body.client_assertion_type !== undefined;
  const usesPost = body.client_secret !== undefined;
  const used = [authorization !== undefined, usesAssertion, usesPost].filter(Boolean).length;
  if (used > 1) throw new InvalidRequest('Use one client authentication method per request: Basic, client_secret in the body, or client_assertion (RFC 6749 §2.3).');
  if (authorization !== undefined) {
    if (!/^basic\s/i.test(authorization)) throw new InvalidClient('Authenticate the client with HTTP Basic (client_id:client_secret), client_secret in the body, or a client_assertion.');
    const candidates = readBasic(authorization);
    if (body.client_id !== undefined && !candidates.some((c) => c.clientId === body.client_id)) {
      throw new InvalidRequest('client_id in the body differs from the client id in the Authorization header.');
    }
    return { method: 'client_secret_basic', candidates };
  }
  if (usesAssertion) {
    if (body.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) throw new InvalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE} (RFC 7523 §2.2).`);
    if (body.client_assertion === undefined) throw new InvalidRequest('client_assertion is missing.');
    return { method: 'private_key_jwt', clientId: body.client_id ?? null, assertion: body.client_assertion };
  }
  if (usesPost) {
    if (body.client_id === undefined) throw new InvalidRequest('client_id is required with client_secret (RFC 6749 §2.3.1).');
    return { method: 'client_secret_post', candidates: [{ clientId: body.client_id, secret: body.client_secret! }] };
  }
  throw new InvalidClient('Authenticate the client: HTTP Basic with the API user name and its password or API key, client_id and client_secret in the body, or a private_key_jwt client_assertion.');
}
