import { Type, type TSchema } from 'typebox';

/** RFC 6749 §5.2 error response: what every OAuth route answers on failure. */
export const OAuthErrorSchema = Type.Object({
  error: Type.String({ description: 'invalid_request, invalid_client, unauthorized_client, unsupported_grant_type, invalid_scope, invalid_target (RFC 8707), invalid_token or insufficient_scope (RFC 6750).', examples: ['invalid_client'] }),
  error_description: Type.String({ description: 'What went wrong, for a developer to act on.', examples: ['The client id or secret is incorrect.'] }),
}, { description: 'RFC 6749 §5.2 error (not problem+json).', examples: [{ error: 'invalid_client', error_description: 'The client id or secret is incorrect.' }] });

const ERROR_TEXT: Record<number, string> = {
  400: 'A parameter is missing, repeated or not allowed: invalid_request, unsupported_grant_type, invalid_scope, invalid_target or unauthorized_client.',
  401: 'Client authentication failed (invalid_client; with WWW-Authenticate: Basic unless the client authenticated in the body) or the bearer token is not valid (invalid_token).',
  403: 'The bearer token lacks the privilege (insufficient_scope).',
  429: 'Too many failed client authentications (invalid_client); see Retry-After.',
};

/** @example response: { 200: TokenResponseSchema, ...oauthErrors(400, 401) } */
export function oauthErrors(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of statuses) out[status] = Type.Object(OAuthErrorSchema.properties, { description: ERROR_TEXT[status] ?? 'OAuth error' });
  return out;
}

const ClientAuthParams = {
  client_id: Type.Optional(Type.String({ description: 'The API user\'s username. Required with client_secret; optional with Basic or client_assertion.', examples: ['apiuser-038271645590@apiconnector.example'] })),
  client_secret: Type.Optional(Type.String({ description: 'client_secret_post: the API user\'s password or one of its API keys (au_key_…). Prefer HTTP Basic.' })),
  client_assertion_type: Type.Optional(Type.String({ description: 'private_key_jwt: urn:ietf:params:oauth:client-assertion-type:jwt-bearer.', examples: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'] })),
  client_assertion: Type.Optional(Type.String({ description: 'private_key_jwt: a JWT signed with a key registered on the API user; iss = sub = client id, aud = the token endpoint or the issuer, exp at most 5 minutes ahead, a unique jti.' })),
};

export const TokenRequestBody = Type.Object({
  grant_type: Type.Optional(Type.String({ description: 'Only client_credentials (RFC 6749 §4.4).', examples: ['client_credentials'] })),
  scope: Type.Optional(Type.String({ description: 'Space-separated: app:<application key> and account:read. Default: both, for the requested application.', examples: ['app:httpapi account:read'] })),
  resource: Type.Optional(Type.String({ description: 'RFC 8707: the key of the external application the token is for (its `aud`). Default httpapi.', examples: ['salesforce'] })),
  audience: Type.Optional(Type.String({ description: 'Same as resource, for clients that send `audience`.', examples: ['httpapi'] })),
  ...ClientAuthParams,
}, { additionalProperties: true, examples: [{ grant_type: 'client_credentials', scope: 'app:httpapi account:read', resource: 'httpapi' }] });

export const TokenResponseSchema = Type.Object({
  access_token: Type.String({ description: 'An RFC 9068 JWT (typ at+jwt, ES256). Send it as Authorization: Bearer.', examples: ['eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9.eyJ…'] }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the token expires (ACCESS_TOKEN_MINUTES).', examples: [600] }),
  scope: Type.String({ description: 'The scope granted.', examples: ['app:httpapi account:read'] }),
}, { description: 'RFC 6749 §5.1. There is no refresh token: request a new token when this one expires.' });

export const TokenParamBody = Type.Object({
  token: Type.Optional(Type.String({ description: 'The access token.' })),
  token_type_hint: Type.Optional(Type.String({ description: 'Ignored: only access tokens exist.', examples: ['access_token'] })),
  ...ClientAuthParams,
}, { additionalProperties: true, examples: [{ token: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJ…', token_type_hint: 'access_token' }] });

export const IntrospectionResponseSchema = Type.Object({
  active: Type.Boolean({ description: 'false for anything not valid right now: unknown, expired, revoked, or its API user disabled or deleted.' }),
  sub: Type.Optional(Type.String({ description: 'The API user id.' })),
  client_id: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  aud: Type.Optional(Type.String({ description: 'The application key.' })),
  iss: Type.Optional(Type.String()),
  exp: Type.Optional(Type.Integer()),
  iat: Type.Optional(Type.Integer()),
  jti: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.Literal('Bearer')),
}, {
  description: 'RFC 7662 §2.2.',
  examples: [{ active: true, sub: '01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a', client_id: 'apiuser-038271645590@apiconnector.example', username: 'apiuser-038271645590@apiconnector.example', scope: 'app:httpapi account:read', aud: 'httpapi', iss: 'http://127.0.0.1:3000', exp: 1790000600, iat: 1790000000, jti: '01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7b', token_type: 'Bearer' }],
});

/** The security requirements of routes a client may call with HTTP Basic or with body parameters. */
export const CLIENT_SECURITY: Array<Record<string, string[]>> = [{ apiUserBasic: [] }, {}];
