import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { lazyChildLoggerFactory } from '../../src/http/lazy-request-logger.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('lazyChildLoggerFactory', () => {
  it('every line a request writes carries its request id; lines below the level are not written', async () => {
    const out = capture();
    const app = Fastify({ logger: { level: 'info', stream: out.stream }, disableRequestLogging: true, childLoggerFactory: lazyChildLoggerFactory });
    app.get('/x', async (request) => {
      request.log.debug('not written');
      request.log.info({ step: 1 }, 'first');
      request.log.child({ part: 'inner' }).warn('nested');
      assert.equal(request.log.level, 'info');
      return { ok: true };
    });
    const response = await app.inject({ method: 'GET', url: '/x', headers: { 'x-request-id': 'ignored-here' } });
    assert.equal(response.statusCode, 200);
    const lines = out.lines();
    assert.deepEqual(lines.map((l) => l.msg), ['first', 'nested']);
    for (const line of lines) assert.equal(typeof line.reqId, 'string');
    assert.equal(lines[0]!.step, 1);
    assert.equal(lines[1]!.part, 'inner');
    await app.close();
  });

  it('a request that writes nothing still gets a working logger, and raising its level takes effect', async () => {
    const out = capture();
    const app = Fastify({ logger: { level: 'warn', stream: out.stream }, disableRequestLogging: true, childLoggerFactory: lazyChildLoggerFactory });
    app.get('/quiet', async (request) => {
      request.log.info('below warn');
      request.log.level = 'info';
      request.log.info('now written');
      return {};
    });
    await app.inject({ method: 'GET', url: '/quiet' });
    assert.deepEqual(out.lines().map((l) => l.msg), ['now written']);
    await app.close();
  });
});
