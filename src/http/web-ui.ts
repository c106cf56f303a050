import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Paths the UI never answers: the API, OAuth, docs, metrics and probes keep their own 404s. */
const SERVER_PATHS = /^\/(v1|v2|oauth|\.well-known|docs|openapi\.json|metrics|livez|readyz|problems)(\/|$|\?)/;

/**
 * The built admin UI (`npm run build` writes `dist/web`), found from this file whether it runs
 * from `src/` (tsx) or `dist/src/` (compiled): the nearest folder above with a package.json.
 * @example webUiRoot(import.meta.dirname) // '/srv/apiusers/dist/web', or null before a build
 */
export function webUiRoot(from: string): string | null {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const root = join(dir, 'dist', 'web');
      return existsSync(join(root, 'index.html')) ? root : null;
    }
  }
  return null;
}

/**
 * The SPA fallback, called by the not-found handler: a GET that matches no route and is not under
 * a server path answers index.html, so `/administrators` survives a reload.
 * @returns whether it answered
 */
export function spaFallback(request: FastifyRequest, reply: FastifyReply): boolean {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || SERVER_PATHS.test(request.url)) return false;
  reply.header('cache-control', 'no-cache').sendFile('index.html');
  return true;
}

/**
 * Serves the admin UI's files at `/`; `spaFallback` answers the paths of its pages. Without a
 * built UI it does nothing, so the API (and its tests) never depend on the UI build.
 * @example await app.register(webUi(webUiRoot(import.meta.dirname)));
 */
export function webUi(root: string | null) {
  const plugin = async (app: FastifyInstance) => {
    if (!root) return;
    // wildcard: false registers one route per file found at start, never `GET /*`, so the 405
    // answer for a wrong method on an API path stays exact.
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        // Vite puts a content hash in every asset name; index.html must be revalidated.
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  };
  // Like fastify-plugin: reply.sendFile must be there for the root's not-found handler.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}
