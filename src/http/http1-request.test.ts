import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { INCOMPLETE, MAX_HEAD_BYTES, parseHttp1Request, type RequestLineRule } from './http1-request.js';

const rules = new Map<string, RequestLineRule<string>>([
  ['GET /v2/account-info HTTP/1.1', { route: 'account-info', maxBodyBytes: 0 }],
  ['GET /v2/account-info/ HTTP/1.1', { route: 'account-info', maxBodyBytes: 0 }],
  ['POST /v1/verify HTTP/1.1', { route: 'verify', maxBodyBytes: 16_384 }],
]);
const parse = (text: string, at = 0) => parseHttp1Request(text, at, rules);
const GET = 'GET /v2/account-info HTTP/1.1\r\nHost: api.example\r\nAuthorization: Bearer au_key_x\r\n\r\n';
const verify = (body: string, extra = '') => `POST /v1/verify HTTP/1.1\r\nHost: api.example\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('parseHttp1Request: the fast lane\'s subset of HTTP/1.1', () => {
  it('reads a GET: route, target, lowercased fields, no body', () => {
    const request = parse(GET);
    assert.ok(request && request !== INCOMPLETE);
    assert.equal(request.route, 'account-info');
    assert.equal(request.method, 'GET');
    assert.equal(request.target, '/v2/account-info');
    assert.deepEqual(request.headers, { host: 'api.example', authorization: 'Bearer au_key_x' });
    assert.equal(request.end, GET.length);
    assert.equal(request.bodyStart, GET.length);
  });

  it('reads a POST body by Content-Length, and the next pipelined request from where it ends', () => {
    const first = verify('{"credential":"a"}');
    const text = first + GET;
    const request = parse(text);
    assert.ok(request && request !== INCOMPLETE);
    assert.equal(text.slice(request.bodyStart, request.end), '{"credential":"a"}');
    const next = parse(text, request.end);
    assert.ok(next && next !== INCOMPLETE);
    assert.equal(next.route, 'account-info');
    assert.equal(next.end, text.length);
  });

  it('trims only SP and HTAB around a value (a latin1 NBSP is part of it), keeps inner spaces', () => {
    const request = parse('GET /v2/account-info/ HTTP/1.1\r\nHost: a\r\nX-Api-Key: \t k e y \t\r\nUser-Agent: \xa0ua\xa0\r\n\r\n');
    assert.ok(request && request !== INCOMPLETE);
    assert.equal(request.target, '/v2/account-info/');
    assert.equal(request.headers['x-api-key'], 'k e y');
    assert.equal(request.headers['user-agent'], '\xa0ua\xa0');
  });

  it('says INCOMPLETE for a head or a body still on its way, when it can still be accepted', () => {
    assert.equal(parse(GET.slice(0, 10)), INCOMPLETE);
    assert.equal(parse(GET.slice(0, 'GET /v2/account-info HTTP/1.1\r'.length)), INCOMPLETE, 'a request line cut between CR and LF');
    assert.equal(parse(GET.slice(0, -2)), INCOMPLETE);
    assert.equal(parse(verify('{"credential":"abc"}').slice(0, -3)), INCOMPLETE);
    assert.equal(parse('DELETE /v2/acc'), null, 'a request line that cannot become an accepted one is Node\'s at once');
    assert.equal(parse(`GET /v2/account-info HTTP/1.1\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}`), null, 'an endless head is Node\'s (431)');
  });

  const refused: Array<[string, string]> = [
    ['another route', 'GET /v2/other HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a query string', 'GET /v2/account-info?x=1 HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['HTTP/1.0', 'GET /v2/account-info HTTP/1.0\r\nHost: a\r\n\r\n'],
    ['an absolute-form target', 'GET http://a/v2/account-info HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a lowercase method', 'get /v2/account-info HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a bare LF line end', 'GET /v2/account-info HTTP/1.1\nHost: a\r\n\r\n'],
    ['a bare LF inside a field', 'GET /v2/account-info HTTP/1.1\r\nHost: a\nX: b\r\n\r\n'],
    ['a bare CR inside a value', 'GET /v2/account-info HTTP/1.1\r\nHost: a\rb\r\n\r\n'],
    ['obs-fold', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n'],
    ['space before the colon', 'GET /v2/account-info HTTP/1.1\r\nHost : a\r\n\r\n'],
    ['a field name that is no token', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nX@Y: b\r\n\r\n'],
    ['an empty field name', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n'],
    ['a NUL in a value', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nX: b\u0000\r\n\r\n'],
    ['DEL in a value', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nX: b\x7f\r\n\r\n'],
    ['no Host', 'GET /v2/account-info HTTP/1.1\r\nX: b\r\n\r\n'],
    ['two Hosts', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n'],
    ['a field twice', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nAuthorization: x\r\nAuthorization: y\r\n\r\n'],
    ['a field named like an Object property', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\n__proto__: x\r\n\r\n'],
    ['Connection: close', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'],
    ['Connection: upgrade', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'],
    ['Expect', verify('{}', 'Expect: 100-continue\r\n')],
    ['Transfer-Encoding', 'POST /v1/verify HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['Transfer-Encoding beside Content-Length', verify('{}', 'Transfer-Encoding: chunked\r\n')],
    ['a body on a GET', 'GET /v2/account-info HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}'],
    ['a POST without Content-Length', 'POST /v1/verify HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['Content-Length 0', 'POST /v1/verify HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n'],
    ['Content-Length with a sign', 'POST /v1/verify HTTP/1.1\r\nHost: a\r\nContent-Length: +2\r\n\r\n{}'],
    ['Content-Length as a list', 'POST /v1/verify HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\n{}'],
    ['Content-Length twice', 'POST /v1/verify HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}'],
    ['Content-Length over the route\'s limit', 'POST /v1/verify HTTP/1.1\r\nHost: a\r\nContent-Length: 16385\r\n\r\n'],
    ['101 fields', `GET /v2/account-info HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 100 }, (_, i) => `X-${i}: v\r\n`).join('')}\r\n`],
  ];
  for (const [what, text] of refused) {
    it(`leaves ${what} to Node`, () => assert.equal(parse(text), null));
  }
});

interface SeenByNode {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The property that makes the hand-over safe: whatever the fast lane accepts, Node's own parser
 * (llhttp, strict mode, as the server runs it) reads the same way — same request line, same
 * fields, same body — and ends it at the same byte, since the next request it reads is the one
 * sent right after. Requests are generated close to the accepted subset, with the edits that
 * parsers disagree on (line ends, whitespace, signs, duplicates, framing fields).
 */
describe('parseHttp1Request against Node\'s parser (llhttp)', () => {
  let server: Server;
  let port: number;
  const seen = new Map<Socket, SeenByNode[]>();

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (chunk: string) => { body += chunk; });
      req.on('end', () => {
        const list = seen.get(req.socket) ?? [];
        list.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        seen.set(req.socket, list);
        res.writeHead(204).end();
      });
    });
    server.on('connection', (socket) => seen.set(socket, []));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const SENTINEL = 'GET /sentinel HTTP/1.1\r\nHost: s\r\n\r\n';

  /** What Node's server read from `text` followed by a sentinel request, on one connection. */
  function readByNode(text: string): Promise<SeenByNode[]> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let serverSide: Socket | undefined;
      const done = () => {
        clearInterval(poll);
        socket.destroy();
        resolve(serverSide ? seen.get(serverSide) ?? [] : []);
      };
      const poll = setInterval(() => {
        serverSide ??= [...seen.keys()].find((s) => s.remotePort === socket.localPort);
        const list = serverSide ? seen.get(serverSide) : undefined;
        if (list?.some((r) => r.url === '/sentinel')) done();
      }, 2);
      socket.on('error', () => undefined);
      socket.on('close', () => setTimeout(done, 20));
      socket.write(Buffer.from(text + SENTINEL, 'latin1'));
      setTimeout(done, 1000);
    });
  }

  const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
  const often = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 12 }, { arbitrary: odd, weight: 1 });
  const value = often(
    fc.stringMatching(/^[\t -~\x80-\xff]{0,20}$/),
    fc.constantFrom(' x', 'x ', '\tx\t', '', ' ', 'a\rb', 'a\nb', 'a\u0000b', '\x7f', 'x\r\n y', '\xa0x\xa0'),
  );
  const name = often(token, fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Authorization', 'X API', 'Host ', ' Host', 'TE', 'Expect'));
  const lineEnd = often(fc.constant('\r\n'), fc.constantFrom('\n', '\r', '\r\r\n', ' \r\n'));
  const requestText = fc.record({
    line: often(fc.constantFrom('GET /v2/account-info HTTP/1.1', 'GET /v2/account-info/ HTTP/1.1', 'POST /v1/verify HTTP/1.1'), fc.constantFrom('POST  /v1/verify HTTP/1.1', 'GET /v2/account-info HTTP/1.0', 'GET /v2/account-info  HTTP/1.1')),
    host: often(fc.stringMatching(/^[a-z0-9.:-]{1,20}$/), fc.option(value, { nil: undefined })),
    fields: fc.array(fc.tuple(name, value), { maxLength: 4 }),
    length: often(fc.constant('exact'), fc.constantFrom('02', '+2', ' 2', '2 ', '2, 2', '0x2', '2.0', '', '3', '1', '0')),
    ends: fc.array(lineEnd, { minLength: 8, maxLength: 8 }),
    body: fc.constantFrom('{}', '{"a":1}', '{"credential":"\xe9"}'),
  }).map(({ line, host, fields, length, ends, body }) => {
    const post = line.startsWith('POST');
    let text = line + ends[0];
    if (host !== undefined) text += `Host: ${host}${ends[1]}`;
    fields.forEach(([n, v], i) => { text += `${n}:${v}${ends[2 + i]}`; });
    if (post || length !== 'exact') text += `Content-Length: ${length === 'exact' ? body.length : length}${ends[6]}`;
    return `${text}${ends[7]}${post || length !== 'exact' ? body : ''}`;
  });

  it('every request it accepts, llhttp reads alike and ends at the same byte', async () => {
    let accepted = 0;
    await fc.assert(fc.asyncProperty(requestText, async (text) => {
      const ours = parse(text);
      if (ours === null || ours === INCOMPLETE) return;
      // Only whole inputs are compared: what follows our end must be the sentinel itself.
      if (ours.end !== text.length) return;
      accepted++;
      const node = await readByNode(text);
      assert.equal(node.length, 2, `Node read ${node.length} requests from ${JSON.stringify(text)}`);
      const [request, sentinel] = node as [SeenByNode, SeenByNode];
      assert.equal(sentinel.url, '/sentinel', JSON.stringify(text));
      assert.equal(request.method, ours.method);
      assert.equal(request.url, ours.target);
      assert.deepEqual({ ...request.headers }, ours.headers, JSON.stringify(text));
      assert.equal(request.body, text.slice(ours.bodyStart, ours.end));
    }), { numRuns: 400, seed: 20261205 });
    assert.ok(accepted >= 40, `only ${accepted} of 400 generated requests were accepted: the generator drifted`);
  });
});
