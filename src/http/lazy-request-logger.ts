import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Fastify makes a pino child logger (with the request id) for every request. At the default
 * level most requests never log, and the child costs more than a cached credential check; this
 * factory makes it on the first call that would actually write, so every line that is written
 * still carries the request id.
 */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  // pino has isLevelEnabled; Fastify's silent logger (logger: false) does not, and costs nothing.
  const enabled = (logger as FastifyBaseLogger & { isLevelEnabled?(l: string): boolean }).isLevelEnabled?.bind(logger);
  if (!enabled) return logger.child(bindings, options);
  const real = () => (child ??= logger.child(bindings, options));
  const lazy: Record<string, unknown> = {
    get level() {
      return child?.level ?? logger.level;
    },
    set level(value: string) {
      real().level = value;
    },
    child: (b: Record<string, unknown>, o?: object) => real().child(b, o),
    silent: () => undefined,
  };
  for (const level of LEVELS) {
    lazy[level] = (...args: unknown[]) => {
      if (!child && !enabled(level)) return;
      (real()[level] as (...a: unknown[]) => void)(...args);
    };
  }
  return lazy as unknown as FastifyBaseLogger;
}
