import { STATUS_CODES } from 'node:http';

let dateSecond = -1;
let dateText = '';

/**
 * The Date field (RFC 9110 §6.6.1, IMF-fixdate) for now, made once per second as Node's HTTP
 * server does. Wall-clock time on purpose: it describes the message, like Node's own.
 * @example httpDate() // 'Sat, 05 Dec 2026 23:00:00 GMT'
 */
export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/**
 * The fields Node's HTTP server ends a persistent response with (`_storeHeader`): Connection,
 * and Keep-Alive with the server's keepAliveTimeout in whole seconds.
 * @example keepAliveFields(72_000) // 'Connection: keep-alive\r\nKeep-Alive: timeout=72\r\n'
 */
export function keepAliveFields(keepAliveTimeoutMs: number): string {
  const seconds = Math.floor(keepAliveTimeoutMs / 1000);
  return seconds > 0 ? `Connection: keep-alive\r\nKeep-Alive: timeout=${seconds}\r\n` : 'Connection: keep-alive\r\n';
}

/** Fields about this hop or this message's framing: the fast lane writes its own (RFC 9110 §7.6.1). */
const HOP_FIELDS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length', 'proxy-connection', 'upgrade']);

/**
 * A whole HTTP/1.1 response as bytes, from a status, the fields an application set and its
 * payload: the status line, those fields (a list value on one line each), then Content-Length,
 * Date and the connection fields, as Node's server would frame it.
 * @returns the bytes, and whether the connection must close after them (the application said
 *   `Connection: close`)
 * @example http1Response(401, { 'content-type': 'application/problem+json' }, payload, keepAliveFields(72_000))
 */
export function http1Response(status: number, fields: Readonly<Record<string, unknown>>, payload: Buffer, persistent: string): { bytes: Buffer; close: boolean } {
  const close = typeof fields.connection === 'string' && /(^|,)\s*close\s*(,|$)/i.test(fields.connection);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const name in fields) {
    if (HOP_FIELDS.has(name.toLowerCase())) continue;
    const value = fields[name];
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${String(one)}\r\n`;
  }
  // RFC 9110 §8.6: no Content-Length on 204, nor on 304 (whose payload is empty anyway).
  if (status !== 204 && status !== 304) head += `content-length: ${payload.length}\r\n`;
  head += `Date: ${httpDate()}\r\n${close ? 'Connection: close\r\n' : persistent}\r\n`;
  return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), payload]), close };
}
