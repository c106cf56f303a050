import type { ApiUser, Organization } from './apiusers-seed.js';
import type { LoadTarget } from './load.js';
import { fillRequired, type DocumentedRoutes } from './openapi-routes.js';
import type { ServerProcess } from './server-process.js';

/** Everything the cases need: the servers, what apiusers documents, and the seeded credentials. */
export interface BenchContext {
  apiusers: ServerProcess;
  baseline: ServerProcess;
  oidc: ServerProcess | { unavailable: string };
  routes: DocumentedRoutes;
  org: Organization;
  user: ApiUser;
  apiKey: { key: string } | { unavailable: string };
}

/** The credentials issue's goal for a case; a case without one is a reference point. */
export interface Goal {
  text: string;
  minRatio?: number;
  maxP99Ms?: number;
  minRequestsPerSecond?: number;
  /** Must serve more per second than this case, in the same run. */
  aheadOf?: string;
}

export interface BenchCase {
  id: string;
  label: string;
  /** The process under load, whose CPU use is recorded. */
  server: 'baseline' | 'apiusers' | 'oidc';
  goal: Goal | null;
  /**
   * A checked target (one request was sent and answered as expected), or why this build cannot
   * run the case. Called before every measurement, so a JWT is always fresh.
   */
  target(ctx: BenchContext): Promise<LoadTarget | { unavailable: string }>;
}

const ACCOUNT_INFO = '/v2/account-info';
const VERIFY = '/v1/verify';
const TOKEN = '/oauth/token';
const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 §2.3.1: client_secret_basic form-urlencodes the id and the secret before Basic. */
export function clientSecretBasic(id: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** RFC 7617: plain HTTP Basic, `base64(user-id ":" password)`. */
function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * Sends `target` once. The measured answer must be 2xx, and `check` may look at the body too.
 * @returns null when the answer is right, else a one-line reason
 */
async function probe(target: LoadTarget, check?: (body: Record<string, unknown>) => string | null): Promise<string | null> {
  try {
    const response = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body });
    const text = await response.text();
    if (response.status < 200 || response.status >= 300) return `${target.method} ${new URL(target.url).pathname} answered ${response.status}: ${text.slice(0, 200)}`;
    if (!check) return null;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return `${target.method} ${new URL(target.url).pathname} answered ${response.status} with a body that is not JSON`;
    }
    return check(body);
  } catch (error) {
    return `${target.method} ${target.url}: ${(error as Error).message}`;
  }
}

async function checked(target: LoadTarget, check?: (body: Record<string, unknown>) => string | null): Promise<LoadTarget | { unavailable: string }> {
  const problem = await probe(target, check);
  return problem ? { unavailable: `preflight failed: ${problem}` } : target;
}

/**
 * Whether this build serves a route: documented in /openapi.json, or (for a route kept out of the
 * document) answering something other than 404.
 */
async function serves(ctx: BenchContext, method: 'GET' | 'POST', path: string): Promise<boolean> {
  if (ctx.routes.has(method, path)) return true;
  const response = await fetch(`${ctx.apiusers.baseUrl}${path}`, { method, headers: method === 'POST' ? { 'content-type': FORM } : {}, body: method === 'POST' ? '' : undefined });
  await response.arrayBuffer();
  return response.status !== 404;
}

function tokenRequest(url: string, user: ApiUser): LoadTarget {
  return { url, method: 'POST', headers: { authorization: clientSecretBasic(user.username, user.password), 'content-type': FORM }, body: 'grant_type=client_credentials' };
}

const hasAccessToken = (body: Record<string, unknown>) => (typeof body.access_token === 'string' ? null : `no access_token in ${JSON.stringify(body).slice(0, 200)}`);

const NOT_AVAILABLE = (what: string) => ({ unavailable: `not available in this build (${what})` });

/** The baseline and cases (a)–(e) of the credentials issue, in the order each round runs them. */
export const CASES: BenchCase[] = [
  {
    id: 'baseline', label: 'baseline: bare Fastify GET /', server: 'baseline', goal: null,
    target: async (ctx) => checked({ url: `${ctx.baseline.baseUrl}/`, method: 'GET', headers: {} }),
  },
  {
    id: 'a', label: '(a) account-info, API key', server: 'apiusers', goal: { text: '>= 0.70x, p99 < 10 ms', minRatio: 0.7, maxP99Ms: 10 },
    target: async (ctx) => {
      if ('unavailable' in ctx.apiKey) return NOT_AVAILABLE(ctx.apiKey.unavailable);
      return checked({ url: `${ctx.apiusers.baseUrl}${ACCOUNT_INFO}`, method: 'GET', headers: { authorization: `Bearer ${ctx.apiKey.key}` } });
    },
  },
  {
    id: 'b', label: '(b) account-info, Basic (argon2id, cached)', server: 'apiusers', goal: { text: '>= 0.60x, p99 < 10 ms', minRatio: 0.6, maxP99Ms: 10 },
    // The preflight is "the first call": argon2id runs once, every measured call is a cache hit.
    target: async (ctx) => checked({ url: `${ctx.apiusers.baseUrl}${ACCOUNT_INFO}`, method: 'GET', headers: { authorization: basic(ctx.user.username, ctx.user.password) } }),
  },
  {
    id: 'c', label: '(c) account-info, Bearer JWT', server: 'apiusers', goal: { text: '>= 0.60x, p99 < 10 ms', minRatio: 0.6, maxP99Ms: 10 },
    target: async (ctx) => {
      if (!(await serves(ctx, 'POST', TOKEN))) return NOT_AVAILABLE(`needs a JWT from POST ${TOKEN}, which is not served`);
      const request = tokenRequest(`${ctx.apiusers.baseUrl}${TOKEN}`, ctx.user);
      const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
      const body = (await response.json().catch(() => ({}))) as { access_token?: string };
      if (!response.ok || typeof body.access_token !== 'string') return { unavailable: `preflight failed: POST ${TOKEN} answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}` };
      if (body.access_token.split('.').length !== 3) return { unavailable: `POST ${TOKEN} issued an access token that is not a JWT` };
      return checked({ url: `${ctx.apiusers.baseUrl}${ACCOUNT_INFO}`, method: 'GET', headers: { authorization: `Bearer ${body.access_token}` } });
    },
  },
  {
    id: 'd', label: '(d) POST /v1/verify (API key)', server: 'apiusers', goal: { text: '>= 0.60x, p99 < 10 ms', minRatio: 0.6, maxP99Ms: 10 },
    target: async (ctx) => {
      if (!ctx.routes.has('post', VERIFY)) return NOT_AVAILABLE(`POST ${VERIFY} is not in /openapi.json`);
      if ('unavailable' in ctx.apiKey) return NOT_AVAILABLE(`needs an API key: ${ctx.apiKey.unavailable}`);
      const schema = ctx.routes.bodySchema('post', VERIFY);
      const field = ['key', 'token', 'credential', 'api_key'].find((name) => schema?.properties?.[name]) ?? 'key';
      // The caller is one of the platform's services, with a personal access token whose role holds
      // `verify`; the owner's role holds every privilege.
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${ctx.org.accessToken}` };
      const target: LoadTarget = { url: `${ctx.apiusers.baseUrl}${VERIFY}`, method: 'POST', headers, body: JSON.stringify(fillRequired(schema, { [field]: ctx.apiKey.key })) };
      return checked(target, (body) => (body.valid === false ? `verify answered valid:false (${JSON.stringify(body).slice(0, 200)})` : null));
    },
  },
  {
    id: 'e', label: '(e) POST /oauth/token (client_credentials)', server: 'apiusers', goal: { text: '>= 5,000/s and ahead of oidc-provider', minRequestsPerSecond: 5000, aheadOf: 'oidc' },
    target: async (ctx) => {
      if (!(await serves(ctx, 'POST', TOKEN))) return NOT_AVAILABLE(`POST ${TOKEN} is not served`);
      return checked(tokenRequest(`${ctx.apiusers.baseUrl}${TOKEN}`, ctx.user), hasAccessToken);
    },
  },
  {
    id: 'oidc', label: "(e') oidc-provider POST /token (reference)", server: 'oidc', goal: null,
    target: async (ctx) => {
      if ('unavailable' in ctx.oidc) return ctx.oidc;
      return checked(tokenRequest(`${ctx.oidc.baseUrl}/token`, ctx.user), hasAccessToken);
    },
  },
];
