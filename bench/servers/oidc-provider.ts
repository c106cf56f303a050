import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

/*
 * The reference for case (e): oidc-provider's client_credentials grant, configured as close to
 * apiusers' POST /oauth/token as it allows — one confidential client authenticating with
 * client_secret_basic (RFC 6749 §2.3.1), JWT access tokens (RFC 9068) signed with ES256, one
 * hour, for one audience. The resource indicators feature (RFC 8707) is what makes oidc-provider
 * issue JWTs instead of opaque tokens; a default resource means the client need not send one.
 * Differences that remain: the client secret is stored and compared in plaintext (apiusers runs
 * argon2id once, then a keyed-hash cache), and tokens live in oidc-provider's in-memory adapter.
 */
const port = Number(process.env.PORT);
const clientId = process.env.CLIENT_ID!;
const clientSecret = process.env.CLIENT_SECRET!;
const resource = 'urn:apiusers:bench';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    // The only key is ES256; the client metadata default (RS256) would be rejected.
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [signingKey as never] },
  cookies: { keys: [randomUUID()] },
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api', audience: resource, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`server_error: ${error.stack}\n`));

// GET / answers 200 once listening, which is what the bench waits for.
const callback = provider.callback();
createServer((req, res) => {
  if (req.url === '/' && req.method === 'GET') {
    res.end('ok');
    return;
  }
  void callback(req, res);
}).listen(port, '127.0.0.1');
