import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/** A 200 answered from memory: the JSON text and the headers it adds (RateLimit-*). */
export interface HotAnswer {
  json: string;
  /** The JSON's length in UTF-8 bytes (the routes keep it with the text). */
  bytes: number;
  headers: Readonly<Record<string, string>> | null;
}

/** A request as a hot route reads it, whichever way it arrived (the fast lane or Node's parser). */
export interface HotRequest {
  method: string;
  /** The request target as sent. */
  url: string;
  /** Field names lowercased, as Node's `req.headers`. */
  headers: Readonly<IncomingHttpHeaders>;
  /** The connection (keep-alive memos hang on it). */
  socket: Socket;
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
