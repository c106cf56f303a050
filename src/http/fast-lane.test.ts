import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawHttpConnection } from '../../test/support/raw-http-connection.js';
import { FastLane, type FastLaneHandler } from './fast-lane.js';
import type { RequestLineRule } from './http1-request.js';
import { http1Response, keepAliveFields } from './http1-response.js';

/** A response as the lane writes it: Content-Length framed, keep-alive. */
function response(body: string): string {
  return `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${keepAliveFields(5000)}\r\n${body}`;
}

interface Lab {
  port: number;
  lane: FastLane<string>;
  handedOver: number;
  failures: unknown[];
  /** Set to make the lane refuse new work (the server is closing). */
  closing: boolean;
  close(): Promise<void>;
}

/**
 * A FastLane in front of a plain Node HTTP server, wired as HotPath wires it: `GET /hot` is
 * answered by the lane, `POST /slow` is forwarded (answered 30 ms later, as an inject would be),
 * and anything else goes to Node's server, which answers `node <method> <url>`.
 */
async function startLab(options: { idleTimeoutMs?: number; incompleteWaitMs?: number; hotBody?: string } = {}): Promise<Lab> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(`node ${req.method} ${req.url}`));
  });
  const node = server.listeners('connection')[0] as (socket: Socket) => void;
  server.removeListener('connection', node);
  const rules = new Map<string, RequestLineRule<string>>([
    ['GET /hot HTTP/1.1', { route: 'hot', maxBodyBytes: 0 }],
    ['POST /slow HTTP/1.1', { route: 'slow', maxBodyBytes: 1024 }],
  ]);
  const lab = { handedOver: 0, failures: [] as unknown[], closing: false } as Lab;
  const handler: FastLaneHandler<string> = {
    closing: () => lab.closing,
    answer: (request) => {
      if (request.headers['x-n'] === 'boom') throw new Error('a fault in the lane');
      return request.route === 'hot' ? response(options.hotBody ?? `hot ${request.headers['x-n'] ?? ''}`) : null;
    },
    forward: async (request, body) => {
      await sleep(30);
      if (body === 'fail') throw new Error('forward failed');
      return http1Response(200, { 'x-forwarded': 'yes' }, Buffer.from(`slow ${body}`), keepAliveFields(5000));
    },
    handOver: (socket, bytes) => {
      lab.handedOver++;
      node.call(server, socket);
      if (bytes.length > 0) socket.emit('data', bytes);
      if (socket.isPaused()) socket.resume();
    },
    failed: (error) => lab.failures.push(error),
  };
  lab.lane = new FastLane(rules, handler, { idleTimeoutMs: options.idleTimeoutMs ?? 5000, incompleteWaitMs: options.incompleteWaitMs });
  server.on('connection', (socket: Socket) => lab.lane.adopt(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lab.port = (server.address() as { port: number }).port;
  lab.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return lab;
}

const hot = (n: number | string) => `GET /hot HTTP/1.1\r\nHost: t\r\nX-N: ${n}\r\n\r\n`;
const slow = (body: string) => `POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('FastLane: one connection, in order, handed to Node when it must', () => {
  let lab: Lab;
  afterEach(() => lab.close());

  it('answers pipelined requests in order, a forwarded one holding back those behind it', async () => {
    lab = await startLab();
    const client = new RawHttpConnection(lab.port);
    client.socket.write(hot(1) + slow('a') + hot(2) + slow('b') + hot(3));
    assert.deepEqual((await client.read(5)).map((r) => r.body), ['hot 1', 'slow a', 'hot 2', 'slow b', 'hot 3']);
    assert.equal(lab.lane.size, 1, 'the connection is still in the lane');
    assert.equal(lab.handedOver, 0);
  });

  it('a connection whose requests mostly need the full route goes to Node after a few of them', async () => {
    lab = await startLab();
    const client = new RawHttpConnection(lab.port);
    client.socket.write(slow('1') + slow('2') + slow('3') + slow('4') + slow('5'));
    assert.deepEqual((await client.read(5)).map((r) => r.body), ['slow 1', 'slow 2', 'slow 3', 'slow 4', 'node POST /slow']);
    assert.equal(lab.handedOver, 1);
    // Answers from memory earn forwards back: 16 of them pay for one more.
    lab.handedOver = 0;
    const steady = new RawHttpConnection(lab.port);
    const batch = [slow('a'), slow('b'), slow('c'), slow('d'), ...Array.from({ length: 16 }, (_, i) => hot(i)), slow('e')].join('');
    steady.socket.write(batch);
    const bodies = (await steady.read(21)).map((r) => r.body);
    assert.equal(bodies.at(-1), 'slow e');
    assert.equal(lab.handedOver, 0);
  });

  it('hands the connection to Node at the first request it does not take, from that request\'s first byte', async () => {
    lab = await startLab();
    const client = new RawHttpConnection(lab.port);
    client.socket.write(hot(1) + 'GET /other HTTP/1.1\r\nHost: t\r\n\r\n' + hot(2));
    assert.deepEqual((await client.read(3)).map((r) => r.body), ['hot 1', 'node GET /other', 'node GET /hot']);
    assert.equal(lab.handedOver, 1);
    assert.equal(lab.lane.size, 0);
    // Node keeps it: later requests are Node's, and a malformed one gets Node's 400.
    client.socket.write(hot(3));
    assert.deepEqual(((await client.read(4)).map((r) => r.body)).slice(3), ['node GET /hot']);
  });

  it('waits for a request split across reads, and gives one that stays incomplete to Node', async () => {
    lab = await startLab({ incompleteWaitMs: 150 });
    const client = new RawHttpConnection(lab.port);
    const request = slow('split');
    client.socket.write(request.slice(0, 20));
    await sleep(20);
    client.socket.write(request.slice(20, -2));
    await sleep(20);
    client.socket.write(request.slice(-2));
    assert.deepEqual((await client.read(1)).map((r) => r.body), ['slow split']);
    assert.equal(lab.handedOver, 0);
    client.socket.write(hot(1).slice(0, 10));
    await sleep(300);
    assert.equal(lab.handedOver, 1, 'still incomplete after the wait: Node has it');
    client.socket.write(hot(1).slice(10));
    assert.deepEqual((await client.read(2)).map((r) => r.body), ['slow split', 'node GET /hot']);
  });

  it('a malformed request goes to Node, which answers 400 and closes', async () => {
    lab = await startLab();
    const client = new RawHttpConnection(lab.port);
    client.socket.write('GET /hot HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n');
    await client.closed;
    assert.equal(lab.handedOver, 1);
  });

  it('closes a connection idle for the keep-alive timeout', async () => {
    lab = await startLab({ idleTimeoutMs: 100 });
    const client = new RawHttpConnection(lab.port);
    client.socket.write(hot(1));
    assert.deepEqual((await client.read(1)).map((r) => r.body), ['hot 1']);
    const started = Date.now();
    await client.closed;
    assert.ok(Date.now() - started < 1000);
  });

  it('a client that ends its side gets its answers, then the server ends too', async () => {
    lab = await startLab();
    const client = new RawHttpConnection(lab.port);
    client.socket.end(hot(1) + slow('last'));
    await client.closed;
    assert.deepEqual(client.bodies(), ['hot 1', 'slow last']);
  });

  it('a client that does not read its answers is not read from either, and loses nothing', async () => {
    lab = await startLab({ hotBody: 'x'.repeat(2048) });
    const client = new RawHttpConnection(lab.port);
    client.socket.pause();
    const count = 3000;
    client.socket.write(Array.from({ length: count }, (_, i) => hot(i)).join(''));
    await sleep(200);
    client.socket.resume();
    const bodies = (await client.read(count, 10_000)).map((r) => r.body);
    assert.equal(bodies.length, count);
  });

  it('closeIdle closes idle connections at once and busy ones after their answer', async () => {
    lab = await startLab();
    const idle = new RawHttpConnection(lab.port);
    idle.socket.write(hot(1));
    await idle.read(1);
    const busy = new RawHttpConnection(lab.port);
    busy.socket.write(slow('in flight'));
    await sleep(5);
    lab.closing = true;
    lab.lane.closeIdle();
    await idle.closed;
    await busy.closed;
    assert.deepEqual(busy.bodies(), ['slow in flight']);
    // A new connection while closing is Node's from the start.
    const late = new RawHttpConnection(lab.port);
    late.socket.write(hot(2));
    assert.deepEqual((await late.read(1)).map((r) => r.body), ['node GET /hot']);
  });

  it('a forward that fails destroys the connection and is reported', async () => {
    lab = await startLab();
    const client = new RawHttpConnection(lab.port);
    client.socket.write(slow('fail') + hot(1));
    await client.closed;
    assert.equal(lab.failures.length, 1);
    assert.deepEqual(client.bodies(), []);
  });

  it('a fault while answering closes that connection and is reported, and the process goes on', async () => {
    lab = await startLab();
    const client = new RawHttpConnection(lab.port);
    client.socket.write(hot('boom'));
    await client.closed;
    assert.equal(lab.failures.length, 1);
    const next = new RawHttpConnection(lab.port);
    next.socket.write(hot(1));
    assert.deepEqual((await next.read(1)).map((r) => r.body), ['hot 1']);
  });
});
