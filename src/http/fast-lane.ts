import type { Socket } from 'node:net';
import { INCOMPLETE, parseHttp1Request, MAX_HEAD_BYTES, type Http1Request, type RequestLineRule } from './http1-request.js';

/** What the fast lane asks of the application for each request it read. */
export interface FastLaneHandler<R> {
  /** Whether the server is closing: every request then goes to Node (Fastify answers 503). */
  closing(): boolean;
  /** The whole response (head and body) when the request can be answered from memory, else null, having done nothing. */
  answer(request: Http1Request<R>, body: string, socket: Socket): string | null;
  /** The full route's response for a request not answered from memory, as bytes, and whether to close after it. */
  forward(request: Http1Request<R>, body: string, socket: Socket): Promise<{ bytes: Buffer; close: boolean }>;
  /** Gives the connection to Node's HTTP server, with the bytes it must parse first. */
  handOver(socket: Socket, bytes: Buffer): void;
  /** A failure of `forward` (the connection is destroyed). */
  failed(error: unknown): void;
}

export interface FastLaneOptions {
  /** Idle keep-alive connections are closed after this long (the HTTP server's keepAliveTimeout). */
  idleTimeoutMs: number;
  /** A request that stays incomplete this long goes to Node, with its own header and request timeouts. */
  incompleteWaitMs?: number;
}

/** Bytes queued behind a forwarded request before reading stops (as Node pauses a pipelining client). */
const MAX_QUEUED_BYTES = 64 * 1024;
/** Answers waiting in the socket before reading stops, until the client reads them. */
const MAX_UNSENT_BYTES = 64 * 1024;
/**
 * Forwarding a request (through inject) costs about twice what Node's own HTTP server and the
 * route cost together, so a connection whose requests the cache mostly cannot decide (misses,
 * refusals, a client over its rate limit) is better served by Node. Each connection may forward
 * this many requests in a row; each answer from memory earns back FORWARD_REFUND of one; a
 * request that finds less than one left hands the connection to Node instead.
 */
const FORWARD_CREDIT = 4;
const FORWARD_REFUND = 1 / 16;

/**
 * The HTTP/1.1 fast lane: a connection starts here and stays here as long as it sends requests
 * for the hot routes (GET /v2/account-info, POST /v1/verify), read by a strict parser and answered
 * from memory without an IncomingMessage, a ServerResponse or their streams (about a third of a
 * cached call's cost). A request the cache cannot decide goes through the full Fastify route
 * (`forward`, in order: later requests wait for its answer). The first request of anything else
 * — another route, a malformed or unusual request, an upgrade — hands the connection to Node's
 * HTTP server for good, starting with that request's first byte, so Node parses it as if the
 * fast lane had never been there.
 * @example const lane = new FastLane(rules, handler, { idleTimeoutMs: 72_000 }); server.on('connection', (s) => lane.adopt(s));
 */
export class FastLane<R> {
  private readonly connections = new Set<FastLaneConnection<R>>();
  readonly incompleteWaitMs: number;

  constructor(
    readonly rules: ReadonlyMap<string, RequestLineRule<R>>,
    readonly handler: FastLaneHandler<R>,
    readonly options: FastLaneOptions,
  ) {
    this.incompleteWaitMs = options.incompleteWaitMs ?? 1000;
  }

  /** Takes a new connection (the server's 'connection' event). */
  adopt(socket: Socket): void {
    if (this.handler.closing()) {
      this.handler.handOver(socket, Buffer.alloc(0));
      return;
    }
    this.connections.add(new FastLaneConnection(this, socket));
  }

  /** Closes every idle connection, once its answers are written (the server is closing). */
  closeIdle(): void {
    for (const connection of this.connections) connection.closeWhenIdle();
  }

  /** How many connections are in the lane now (for tests and metrics). */
  get size(): number {
    return this.connections.size;
  }

  forget(connection: FastLaneConnection<R>): void {
    this.connections.delete(connection);
  }
}

class FastLaneConnection<R> {
  /** Bytes read and not yet answered: the rest of a pipelined batch, or an incomplete request. */
  private pending: Buffer | null = null;
  /** A forwarded request is in flight; what arrives meanwhile waits in `pending`. */
  private busy = false;
  /** The client ended its side: answer what is pending, then end ours. */
  private ended = false;
  private closing = false;
  private waiting: NodeJS.Timeout | null = null;
  private forwardCredit = FORWARD_CREDIT;

  constructor(private readonly lane: FastLane<R>, private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.on('timeout', this.onTimeout);
    socket.on('drain', this.onDrain);
    socket.setTimeout(lane.options.idleTimeoutMs);
  }

  closeWhenIdle(): void {
    this.closing = true;
    if (this.busy) return;
    if (this.pending) this.handOver(this.pending);
    else this.socket.destroySoon();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.busy) {
      this.updateFlow();
      return;
    }
    this.runGuarded();
  };

  /** A fault of ours must not escape into the socket's 'data' event (an uncaught exception ends the process). */
  private runGuarded(): void {
    try {
      this.run();
    } catch (error) {
      this.lane.handler.failed(error);
      this.socket.destroy();
    }
  }

  /** Answers every whole request in `pending`, in order, until one must wait or leave the lane. */
  private run(): void {
    const buffer = this.pending!;
    const text = buffer.toString('latin1');
    const { handler, rules } = this.lane;
    let at = 0;
    let out = '';
    while (at < text.length) {
      if (this.closing || handler.closing()) return this.finish(out, buffer.subarray(at), 'hand-over');
      const request = parseHttp1Request(text, at, rules);
      if (request === INCOMPLETE) {
        if (text.length - at > MAX_HEAD_BYTES + MAX_QUEUED_BYTES) return this.finish(out, buffer.subarray(at), 'hand-over');
        return this.finish(out, buffer.subarray(at), 'wait');
      }
      if (request === null) return this.finish(out, buffer.subarray(at), 'hand-over');
      const body = request.end > request.bodyStart ? buffer.toString('utf8', request.bodyStart, request.end) : '';
      const answer = handler.answer(request, body, this.socket);
      if (answer !== null) {
        out += answer;
        at = request.end;
        if (this.forwardCredit < FORWARD_CREDIT) this.forwardCredit = Math.min(FORWARD_CREDIT, this.forwardCredit + FORWARD_REFUND);
        continue;
      }
      if (this.forwardCredit < 1) return this.finish(out, buffer.subarray(at), 'hand-over');
      this.forwardCredit -= 1;
      this.write(out);
      this.forward(request, body, buffer.subarray(request.end));
      return;
    }
    this.finish(out, null, 'done');
  }

  private finish(out: string, rest: Buffer | null, then: 'done' | 'wait' | 'hand-over'): void {
    this.write(out);
    this.pending = rest && rest.length > 0 ? rest : null;
    if (then === 'hand-over') {
      this.handOver(this.pending ?? Buffer.alloc(0));
      return;
    }
    if (then === 'wait' && !this.ended) {
      // The wait runs from the first read of this request: one answered before it restarts it.
      if (out.length > 0) this.stopWaiting();
      this.waiting ??= setTimeout(this.onIncompleteTooLong, this.lane.incompleteWaitMs);
      return;
    }
    // Done, or an incomplete request from a client that already ended its side (it cannot complete).
    this.pending = null;
    this.stopWaiting();
    if (this.ended) this.socket.end();
  }

  /** The full route answers; requests behind it wait, so answers keep their order (RFC 9112 §9.3.2). */
  private forward(request: Http1Request<R>, body: string, rest: Buffer): void {
    this.stopWaiting();
    this.busy = true;
    this.pending = rest.length > 0 ? rest : null;
    this.updateFlow();
    this.lane.handler.forward(request, body, this.socket).then(({ bytes, close }) => {
      this.busy = false;
      if (this.socket.destroyed) return;
      this.socket.write(bytes);
      if (close) {
        this.detach();
        this.socket.destroySoon();
        return;
      }
      if (this.closing) return this.closeWhenIdle();
      this.updateFlow();
      if (this.pending) this.runGuarded();
      else if (this.ended) this.socket.end();
    }, (error: unknown) => {
      this.lane.handler.failed(error);
      this.socket.destroy();
    });
  }

  private write(out: string): void {
    if (out.length === 0) return;
    this.socket.write(out);
    if (this.socket.writableLength > MAX_UNSENT_BYTES) this.updateFlow();
  }

  /** Stops reading while the client leaves answers unread or piles requests behind a forwarded one. */
  private updateFlow(): void {
    const hold = this.socket.writableLength > MAX_UNSENT_BYTES || (this.busy && (this.pending?.length ?? 0) > MAX_QUEUED_BYTES);
    if (hold && !this.socket.isPaused()) this.socket.pause();
    else if (!hold && this.socket.isPaused()) this.socket.resume();
  }

  /** Leaves the lane: Node's HTTP server reads `bytes` first, then whatever the socket still holds. */
  private handOver(bytes: Buffer): void {
    this.detach();
    const held: Buffer[] = [bytes];
    if (this.socket.isPaused()) {
      for (let chunk = this.socket.read() as Buffer | null; chunk !== null; chunk = this.socket.read() as Buffer | null) held.push(chunk);
    }
    this.lane.handler.handOver(this.socket, held.length === 1 ? bytes : Buffer.concat(held));
  }

  private detach(): void {
    const socket = this.socket;
    socket.removeListener('data', this.onData);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('close', this.onClose);
    socket.removeListener('error', this.onError);
    socket.removeListener('timeout', this.onTimeout);
    socket.removeListener('drain', this.onDrain);
    socket.setTimeout(0);
    this.stopWaiting();
    this.lane.forget(this);
  }

  private stopWaiting(): void {
    if (this.waiting) clearTimeout(this.waiting);
    this.waiting = null;
  }

  private readonly onIncompleteTooLong = (): void => {
    this.waiting = null;
    if (!this.busy && this.pending) this.handOver(this.pending);
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    // An incomplete request can no longer complete; the answers already written still go out.
    if (!this.busy) {
      this.stopWaiting();
      this.pending = null;
      this.socket.end();
    }
  };

  private readonly onDrain = (): void => this.updateFlow();
  private readonly onClose = (): void => this.detach();
  private readonly onError = (): void => { this.socket.destroy(); };
  private readonly onTimeout = (): void => { this.socket.destroy(); };
}
