import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One HTTP/1.1 response as read off the wire. */
export interface RawResponse {
  status: number;
  /** The status line and field lines, as sent. */
  head: string[];
  /** The payload, decoded as UTF-8. */
  body: string;
}

/**
 * A raw HTTP/1.1 connection for tests of what crosses the wire: writes bytes as given (pipelined,
 * split, malformed) and reads whole responses in order, framed by Content-Length.
 * @example const c = new RawHttpConnection(port); const [answer] = await c.exchange('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 1);
 */
export class RawHttpConnection {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private text = '';

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => { this.text += chunk; });
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  /** Every complete response read so far. */
  responses(): RawResponse[] {
    const list: RawResponse[] = [];
    let at = 0;
    for (;;) {
      const headEnd = this.text.indexOf('\r\n\r\n', at);
      if (headEnd < 0) return list;
      const head = this.text.slice(at, headEnd).split('\r\n');
      const length = Number(head.find((line) => /^content-length:/i.test(line))?.split(':')[1] ?? 0);
      if (headEnd + 4 + length > this.text.length) return list;
      list.push({ status: Number(head[0]!.split(' ')[1]), head, body: Buffer.from(this.text.slice(headEnd + 4, headEnd + 4 + length), 'latin1').toString('utf8') });
      at = headEnd + 4 + length;
    }
  }

  /** The bodies of the complete responses read so far. */
  bodies(): string[] {
    return this.responses().map((response) => response.body);
  }

  /** Waits until `count` responses in all were read (or the time is up); all of them. */
  async read(count: number, timeoutMs = 5000): Promise<RawResponse[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses().length < count && Date.now() < deadline) await sleep(5);
    return this.responses();
  }

  /** Writes `bytes` (UTF-8) and resolves to the `count` responses read after them. */
  async exchange(bytes: string, count: number): Promise<RawResponse[]> {
    const before = this.responses().length;
    this.socket.write(Buffer.from(bytes, 'utf8'));
    return (await this.read(before + count)).slice(before);
  }
}
