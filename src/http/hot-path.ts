import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestDurationHistogram } from './metrics.js';
import { requestIdOf } from './request-id.js';

/** A 200 answered from memory: the JSON text and the headers it adds (RateLimit-*). */
export interface HotAnswer {
  json: string;
  /** The JSON's length in UTF-8 bytes (the routes keep it with the text). */
  bytes: number;
  headers: Readonly<Record<string, string>> | null;
}

/** What a hot route is told about the request beyond the raw message. */
export interface HotRequest {
  raw: IncomingMessage;
  /** The client's address, as Fastify's `request.ip` computes it (TRUST_PROXY included). */
  ip: string;
}

/**
 * A route that can answer its common case from memory, outside Fastify: a cached credential's
 * success. Everything else (a miss, any error, a 4xx) is left to the Fastify route, which
 * answers exactly as if the hot path did not exist. The rule every route must keep: when it
 * leaves a request (answers null) it has done nothing, counted nothing, written nothing.
 */
export type HotRoute =
  | { method: 'GET'; url: string; answer(request: HotRequest): HotAnswer | null }
  | {
    method: 'POST'; url: string;
    /** Bodies longer than this (or without Content-Length) go to Fastify unread. */
    maxBodyBytes: number;
    /**
     * Decides from the headers alone whether to read the body here; then the body either gets an
     * answer or, answered null, goes to Fastify with its bytes (through `inject`).
     */
    accept(request: HotRequest): ((body: string) => HotAnswer | null) | null;
  };

/** pino's loggers have isLevelEnabled; Fastify's silent logger (logger: false) does not. */
type LevelAware = { isLevelEnabled?: (level: string) => boolean };

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The consumption API's hot path. Fastify costs about as much per request as a whole cached
 * credential check (its hooks, reply and serializers), so the few routes that every integration
 * calls all the time — GET /v2/account-info and POST /v1/verify — answer their common case here,
 * in the HTTP server's request listener, before Fastify routes the request. What Fastify would
 * add is done here the same way: the request id (X-Request-Id), the request-duration histogram,
 * the "incoming request" / "request completed" log lines, the client IP through TRUST_PROXY, and
 * 503 while closing (by leaving it to Fastify). test/api/hot-path.test.ts sends the same requests
 * both ways and compares status, headers and bodies.
 *
 * @example const hot = new HotPath({ trustProxy }); Fastify({ serverFactory: hot.serverFactory }); hot.attach(app, histogram);
 */
export class HotPath {
  private readonly routes = new Map<string, HotRoute>();
  private readonly trust: ((address: string, hop: number) => boolean) | null;
  private app: FastifyInstance | null = null;
  private duration: RequestDurationHistogram | null = null;
  private closing = false;
  /** Answers given here, per route pattern (exported as apiusers_hot_path_answers_total). */
  private readonly answered = new Map<string, number>();
  /** Per route pattern, the histogram series its 200s go to (made on the first answer). */
  private readonly recorders = new Map<string, (seconds: number) => void>();

  private readonly enabled: boolean;

  /** `enabled: false` serves everything through Fastify (HOT_PATH=off). */
  constructor(options: { trustProxy: boolean; enabled?: boolean }) {
    // TRUST_PROXY is a boolean: trust every hop, as Fastify's `trustProxy: true` does.
    this.trust = options.trustProxy ? () => true : null;
    this.enabled = options.enabled ?? true;
  }

  /** Fastify's `serverFactory`: an HTTP server that tries the hot routes first, with Fastify's own server settings. */
  readonly serverFactory = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    const server = createServer((req, res) => {
      if (!this.serve(req, res)) handler(req, res);
    });
    // What Fastify sets on the server it makes itself (its defaults: connectionTimeout 0,
    // keepAliveTimeout 72 s, requestTimeout 0).
    server.keepAliveTimeout = 72_000;
    server.requestTimeout = 0;
    server.setTimeout(0);
    return server;
  };

  /** Connects the app (for its logger, `inject` and close) and the metrics; before the first request. */
  attach(app: FastifyInstance, duration: RequestDurationHistogram, registry: Registry): void {
    this.app = app;
    this.duration = duration;
    const answered = this.answered;
    // Counted in a Map on the hot path; turned into the counter only when /metrics is scraped.
    new Counter({
      name: 'apiusers_hot_path_answers_total',
      help: 'Requests answered from memory before Fastify routing (the rest of each route\'s requests went through Fastify).',
      labelNames: ['route'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [route, count] of answered) this.inc({ route }, count);
      },
    });
    // Fastify answers 503 to requests that arrive while it closes; leave those to it.
    app.addHook('preClose', (done) => {
      this.closing = true;
      done();
    });
  }

  add(route: HotRoute): void {
    this.routes.set(`${route.method} ${route.url}`, route);
    this.answered.set(route.url, 0);
  }

  /** @returns whether the request was taken here */
  private serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.enabled || this.closing || this.routes.size === 0) return false;
    const route = this.routes.get(`${req.method} ${routePath(req.url)}`);
    if (!route) return false;
    const started = performance.now();
    const request: HotRequest = { raw: req, ip: this.clientIp(req) };
    if (route.method === 'GET') {
      const answer = this.guard(() => route.answer(request));
      if (!answer) return false;
      this.respond(request, res, route.url, answer, started);
      return true;
    }
    const length = Number(req.headers['content-length']);
    if (!(length > 0 && length <= route.maxBodyBytes) || req.headers['transfer-encoding'] !== undefined) return false;
    const onBody = this.guard(() => route.accept(request));
    if (!onBody) return false;
    const finish = (body: Buffer) => {
      const text = body.toString('utf8');
      const answer = body.length === length ? this.guard(() => onBody(text)) : null;
      if (answer) this.respond(request, res, route.url, answer, started);
      else this.handOver(req, res, text);
    };
    // This runs in the parser's callback. By the next tick the parser is done with what the socket
    // read; a small body sent with its headers (the usual case) is then buffered whole, and is
    // taken in one read() instead of through the stream's flowing mode (three ticks and a decoder).
    process.nextTick(() => {
      if (req.readableLength === length) {
        finish(req.read() as Buffer);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => { chunks.push(chunk); });
      req.on('error', () => res.destroy());
      req.on('end', () => finish(Buffer.concat(chunks)));
    });
    return true;
  }

  /** A hot route that throws must not cost the request: it is logged and left to Fastify. */
  private guard<T>(run: () => T | null): T | null {
    try {
      return run();
    } catch (error) {
      this.app?.log.error({ err: error }, 'hot path failed; the request goes through the full route');
      return null;
    }
  }

  private respond(request: HotRequest, res: ServerResponse, url: string, answer: HotAnswer, started: number): void {
    const req = request.raw;
    const id = requestIdOf(req);
    const logger: FastifyBaseLogger | undefined = this.app?.log;
    const log = logger && (logger as LevelAware).isLevelEnabled?.('info') ? logger.child({ reqId: id }) : null;
    log?.info({ req: logView(req, request.ip, this.trust) }, 'incoming request');
    // The header order Fastify sends: the request id (onRequest), then what the route set, then
    // the type and length.
    const headers: Record<string, string | number> = { 'x-request-id': id };
    if (answer.headers) for (const name in answer.headers) headers[name.toLowerCase()] = answer.headers[name]!;
    headers['content-type'] = JSON_TYPE;
    headers['content-length'] = answer.bytes;
    res.writeHead(200, headers);
    res.end(answer.json);
    const seconds = (performance.now() - started) / 1000;
    this.recorderOf(req.method!, url)?.(seconds);
    this.answered.set(url, this.answered.get(url)! + 1);
    log?.info({ res: { statusCode: 200 }, responseTime: seconds * 1000 }, 'request completed');
  }

  private recorderOf(method: string, url: string): ((seconds: number) => void) | undefined {
    let recorder = this.recorders.get(url);
    if (!recorder && this.duration) {
      recorder = this.duration.recorder(method, url, 200);
      this.recorders.set(url, recorder);
    }
    return recorder;
  }

  /** A body read here that the hot route did not answer: Fastify gets it whole, through inject. */
  private handOver(req: IncomingMessage, res: ServerResponse, body: string): void {
    const app = this.app;
    if (!app) {
      res.destroy();
      return;
    }
    app.inject({
      method: req.method as 'POST', url: req.url!, headers: req.headers, payload: body,
      remoteAddress: req.socket.remoteAddress ?? '127.0.0.1',
    }).then((injected) => {
      const headers = { ...injected.headers };
      delete headers['transfer-encoding'];
      delete headers['connection'];
      delete headers['keep-alive'];
      delete headers['date'];
      res.writeHead(injected.statusCode, headers as Record<string, string | string[]>);
      res.end(injected.rawPayload);
    }, (error: unknown) => {
      this.app?.log.error({ err: error }, 'could not hand a request over to the full route');
      res.destroy();
    });
  }

  private clientIp(req: IncomingMessage): string {
    if (!this.trust) return req.socket.remoteAddress ?? '';
    const addresses = proxyAddr.all(req, this.trust);
    return addresses[addresses.length - 1] ?? '';
  }
}

/** The path of a request target without a trailing slash (the router ignores it); '' with a query string. */
function routePath(url: string | undefined): string {
  // With a query string, Fastify's checks of the query (NUL characters) apply: leave it to them.
  if (url === undefined || url.includes('?')) return '';
  return url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * The request as Fastify's request serializer reads it (method, url, accept-version, host, ip,
 * socket), so the "incoming request" line is the one Fastify writes.
 */
function logView(req: IncomingMessage, ip: string, trust: unknown) {
  const forwardedHost = req.headers['x-forwarded-host'];
  const host = trust && typeof forwardedHost === 'string' ? forwardedHost.slice(forwardedHost.lastIndexOf(',') + 1).trim() : req.headers.host;
  return { method: req.method, url: req.url, headers: req.headers, host, ip, socket: req.socket };
}
