import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FastLane } from './fast-lane.js';
import type { Http1Request, RequestLineRule } from './http1-request.js';
import { http1Response, httpDate, keepAliveFields } from './http1-response.js';
import type { RequestDurationHistogram } from './metrics.js';
import { registerHotPathMetrics } from './hot-path-metrics.js';
import type { HotAnswer, HotRequest, HotRoute } from './hot-route.js';
import { requestIdOf } from './request-id.js';

/** pino's loggers have isLevelEnabled; Fastify's silent logger (logger: false) does not. */
type LevelAware = { isLevelEnabled?: (level: string) => boolean };
type Logger = FastifyBaseLogger;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The consumption API's hot path. Fastify costs about as much per request as a whole cached
 * credential check, and Node's request and response streams as much again, so the few routes
 * that every integration calls all the time — GET /v2/account-info and POST /v1/verify — answer
 * their common case from memory, in two places:
 * - the fast lane (fast-lane.ts): connections start there, read by a strict HTTP/1.1 parser and
 *   answered without Node's request and response objects; the first request for any other route
 *   hands the connection to Node's HTTP server for good;
 * - the HTTP server's request listener, for connections Node has, before Fastify routes.
 * What Fastify would add is done here the same way: the request id (X-Request-Id), the
 * request-duration histogram, the "incoming request" / "request completed" log lines, the client
 * IP through TRUST_PROXY, and 503 while closing (by leaving it to Fastify). A request the cache
 * cannot decide is answered by the Fastify route (`inject` from the fast lane).
 * test/api/hot-path.test.ts and test/api/fast-lane.test.ts hold both ways to the routes.
 *
 * @example const hot = new HotPath({ trustProxy }); Fastify({ serverFactory: hot.serverFactory }); hot.attach(app, histogram, registry);
 */
export class HotPath {
  private readonly routes = new Map<string, HotRoute>();
  /** The fast lane's request lines (`GET /v2/account-info HTTP/1.1`, with and without a trailing slash). */
  private readonly requestLines = new Map<string, RequestLineRule<HotRoute>>();
  private readonly trust: ((address: string, hop: number) => boolean) | null;
  private app: FastifyInstance | null = null;
  private duration: RequestDurationHistogram | null = null;
  private closing = false;
  private lane: FastLane<HotRoute> | null = null;
  /** Why there is no fast lane although the hot path is on (logged once the app is attached). */
  private laneUnavailable: string | null = null;
  private server: Server | null = null;
  /** What ends a persistent response (Connection, Keep-Alive), for the server's keepAliveTimeout. */
  private persistent = { timeoutMs: -1, fields: '' };
  /** Answers given here, per route pattern (exported as apiusers_hot_path_answers_total). */
  private readonly answered = new Map<string, number>();
  /** Per route pattern, the histogram series its 200s go to (made on the first answer). */
  private readonly recorders = new Map<string, (seconds: number) => void>();
  /** Connections the fast lane gave to Node, and requests it had the full route answer. */
  private readonly laneCounts = { handovers: 0, forwarded: 0 };

  private readonly enabled: boolean;
  private readonly fastLaneWanted: boolean;

  /** `enabled: false` serves everything through Fastify (HOT_PATH=off); `fastLane: false` keeps Node's parser for every request (HOT_PATH=listener). */
  constructor(options: { trustProxy: boolean; enabled?: boolean; fastLane?: boolean }) {
    // TRUST_PROXY is a boolean: trust every hop, as Fastify's `trustProxy: true` does.
    this.trust = options.trustProxy ? () => true : null;
    this.enabled = options.enabled ?? true;
    this.fastLaneWanted = this.enabled && (options.fastLane ?? true);
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
    if (this.fastLaneWanted) this.installFastLane(server);
    return server;
  };

  /** Connects the app (for its logger, `inject` and close) and the metrics; before the first request. */
  attach(app: FastifyInstance, duration: RequestDurationHistogram, registry: Registry): void {
    this.app = app;
    this.duration = duration;
    registerHotPathMetrics(registry, { answered: this.answered, laneCounts: this.laneCounts, laneSize: () => this.lane?.size ?? 0 });
    // Fastify answers 503 to requests that arrive while it closes; leave those to it, and close
    // the fast lane's idle connections (Node's closeIdleConnections does not know them).
    app.addHook('preClose', (done) => {
      this.closing = true;
      this.lane?.closeIdle();
      done();
    });
    if (this.laneUnavailable) app.log.warn(`HTTP fast lane off: ${this.laneUnavailable}; hot routes are answered in the request listener`);
  }

  add(route: HotRoute): void {
    this.routes.set(`${route.method} ${route.url}`, route);
    const rule = { route, maxBodyBytes: route.method === 'POST' ? route.maxBodyBytes : 0 };
    this.requestLines.set(`${route.method} ${route.url} HTTP/1.1`, rule);
    this.requestLines.set(`${route.method} ${route.url}/ HTTP/1.1`, rule);
    this.answered.set(route.url, 0);
  }

  /** Connections in the fast lane now. */
  get fastLaneConnections(): number {
    return this.lane?.size ?? 0;
  }

  /**
   * Puts the fast lane in front of Node's connection handling. Needs Node's own 'connection'
   * listener to hand connections over to; without it (another runtime) the lane stays off.
   */
  private installFastLane(server: Server): void {
    const listeners = server.listeners('connection');
    const node = listeners[0];
    if (listeners.length !== 1 || typeof node !== 'function' || node.name !== 'connectionListener') {
      this.laneUnavailable = 'this Node.js version\'s HTTP server has no single connectionListener to hand connections to';
      return;
    }
    server.removeListener('connection', node as (socket: Socket) => void);
    const counts = this.laneCounts;
    this.lane = new FastLane(this.requestLines, {
      closing: () => this.closing,
      answer: (request, body, socket) => this.answerRaw(request, body, socket),
      forward: (request, body, socket) => {
        counts.forwarded++;
        return this.inject(request.method, request.target, request.headers, body, socket)
          .then((response) => http1Response(response.statusCode, response.headers, response.rawPayload, this.persistentFields()));
      },
      handOver: (socket, bytes) => {
        counts.handovers++;
        node.call(server, socket);
        // Node's parser reads what the lane had read first, before anything more arrives.
        if (bytes.length > 0) socket.emit('data', bytes);
        if (socket.isPaused()) socket.resume();
      },
      failed: (error) => this.app?.log.error({ err: error }, 'the HTTP fast lane failed on a connection, which was closed'),
    }, {
      // Read when a connection arrives, so a keepAliveTimeout set after start applies, as in Node.
      get idleTimeoutMs() { return server.keepAliveTimeout; },
    });
    this.server = server;
    server.on('connection', (socket: Socket) => this.lane!.adopt(socket));
  }

  /** Connection and Keep-Alive as Node writes them for the server's keepAliveTimeout now. */
  private persistentFields(): string {
    const timeoutMs = this.server?.keepAliveTimeout ?? 72_000;
    if (timeoutMs !== this.persistent.timeoutMs) this.persistent = { timeoutMs, fields: keepAliveFields(timeoutMs) };
    return this.persistent.fields;
  }

  /** The fast lane's answer: the whole response text, or null to forward the request to its route. */
  private answerRaw(request: Http1Request<HotRoute>, body: string, socket: Socket): string | null {
    const started = performance.now();
    const hot: HotRequest = { method: request.method, url: request.target, headers: request.headers, socket, ip: this.clientIp(request.headers, socket) };
    const route = request.route;
    let answer: HotAnswer | null;
    try {
      if (route.method === 'GET') {
        answer = route.answer(hot);
      } else {
        const onBody = route.accept(hot);
        answer = onBody ? onBody(body) : null;
      }
    } catch (error) {
      this.failedHere(error);
      return null;
    }
    if (!answer) return null;
    const id = requestIdOf(hot);
    const log = this.requestLog(id, hot);
    // The header order Fastify sends: the request id (onRequest), then what the route set, then
    // the type and length; Node adds Date and the connection fields.
    let head = `HTTP/1.1 200 OK\r\nx-request-id: ${id}\r\n`;
    if (answer.headers) for (const name in answer.headers) head += `${name.toLowerCase()}: ${answer.headers[name]}\r\n`;
    head += `content-type: ${JSON_TYPE}\r\ncontent-length: ${answer.bytes}\r\nDate: ${httpDate()}\r\n${this.persistentFields()}\r\n`;
    this.answeredHere(route.url, hot.method, started, log);
    return head + answer.json;
  }

  /** The listener's way, for connections Node has. @returns whether the request was taken here */
  private serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.enabled || this.closing || this.routes.size === 0) return false;
    const url = req.url!;
    const route = this.routes.get(`${req.method} ${routePath(url)}`);
    if (!route) return false;
    const started = performance.now();
    const request: HotRequest = { method: req.method!, url, headers: req.headers, socket: req.socket, ip: this.clientIp(req.headers, req.socket) };
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
      this.failedHere(error);
      return null;
    }
  }

  private failedHere(error: unknown): void {
    this.app?.log.error({ err: error }, 'hot path failed; the request goes through the full route');
  }

  private respond(request: HotRequest, res: ServerResponse, url: string, answer: HotAnswer, started: number): void {
    const id = requestIdOf(request);
    const log = this.requestLog(id, request);
    // The header order Fastify sends: the request id (onRequest), then what the route set, then
    // the type and length.
    const headers: Record<string, string | number> = { 'x-request-id': id };
    if (answer.headers) for (const name in answer.headers) headers[name.toLowerCase()] = answer.headers[name]!;
    headers['content-type'] = JSON_TYPE;
    headers['content-length'] = answer.bytes;
    res.writeHead(200, headers);
    res.end(answer.json);
    this.answeredHere(url, request.method, started, log);
  }

  /** Fastify's "incoming request" line, when info is logged; the logger for the "completed" line. */
  private requestLog(id: string, request: HotRequest): Logger | null {
    const logger: Logger | undefined = this.app?.log;
    if (!logger || !(logger as LevelAware).isLevelEnabled?.('info')) return null;
    const log = logger.child({ reqId: id });
    log.info({ req: logView(request, this.trust) }, 'incoming request');
    return log;
  }

  private answeredHere(url: string, method: string, started: number, log: Logger | null): void {
    const seconds = (performance.now() - started) / 1000;
    this.recorderOf(method, url)?.(seconds);
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

  /** The full route's answer to a request read here, through inject (same hooks, logs and metrics). */
  private inject(method: string, url: string, headers: IncomingHttpHeaders, body: string, socket: Socket) {
    const app = this.app;
    if (!app) return Promise.reject(new Error('the hot path is not attached to the app'));
    return app.inject({
      method: method as 'POST', url, headers, payload: body === '' ? undefined : body,
      remoteAddress: socket.remoteAddress ?? '127.0.0.1',
    });
  }

  /** A body read here that the hot route did not answer: Fastify gets it whole, through inject. */
  private handOver(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.inject(req.method!, req.url!, req.headers, body, req.socket).then((injected) => {
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

  private clientIp(headers: IncomingHttpHeaders, socket: Socket): string {
    if (!this.trust) return socket.remoteAddress ?? '';
    const addresses = proxyAddr.all({ headers, socket } as IncomingMessage, this.trust);
    return addresses[addresses.length - 1] ?? '';
  }
}

/** The path of a request target without a trailing slash (the router ignores it); '' with a query string. */
function routePath(url: string): string {
  // With a query string, Fastify's checks of the query (NUL characters) apply: leave it to them.
  if (url.includes('?')) return '';
  return url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * The request as Fastify's request serializer reads it (method, url, accept-version, host, ip,
 * socket), so the "incoming request" line is the one Fastify writes.
 */
function logView(request: HotRequest, trust: unknown) {
  const forwardedHost = request.headers['x-forwarded-host'];
  const host = trust && typeof forwardedHost === 'string' ? forwardedHost.slice(forwardedHost.lastIndexOf(',') + 1).trim() : request.headers.host;
  return { method: request.method, url: request.url, headers: request.headers, host, ip: request.ip, socket: request.socket };
}
