import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type LevelEnabled = (level: string) => boolean;

/**
 * A request's logger that makes its pino child (with the request id) on the first call that
 * would actually write. One small object per request, its methods on the prototype.
 */
class LazyRequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
    private readonly enabled: LevelEnabled,
  ) {}

  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    if (!this.made && !this.enabled.call(this.parent, level)) return;
    (this.real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(value: string) {
    this.real().level = value;
  }

  fatal(...args: unknown[]) { this.write('fatal', args); }
  error(...args: unknown[]) { this.write('error', args); }
  warn(...args: unknown[]) { this.write('warn', args); }
  info(...args: unknown[]) { this.write('info', args); }
  debug(...args: unknown[]) { this.write('debug', args); }
  trace(...args: unknown[]) { this.write('trace', args); }
  silent() {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}

/**
 * Fastify makes a pino child logger (with the request id) for every request. At the default
 * level most requests never log, and the child costs more than a cached credential check; this
 * factory makes it on the first call that would actually write, so every line that is written
 * still carries the request id.
 */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // pino has isLevelEnabled; Fastify's silent logger (logger: false) does not, and costs nothing.
  const enabled = (logger as FastifyBaseLogger & { isLevelEnabled?: LevelEnabled }).isLevelEnabled;
  if (!enabled) return logger.child(bindings, options);
  return new LazyRequestLogger(logger, bindings, options, enabled) as unknown as FastifyBaseLogger;
}
