import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';

/*
 * Two per-request costs that the gateway's hot path (POST /token/exchange, thousands a second)
 * cannot afford, removed here without changing a byte of what is sent or logged:
 *
 * - @fastify/helmet builds its middleware stack again for every request (parsing the CSP each
 *   time). The headers it sets are the same for every response, so a route can take them from
 *   helmet once (its documented `reply.helmet()` decorator) and replay them.
 * - Fastify creates a pino child logger per request. The child is only needed when the route
 *   itself logs at an enabled level: the request's own line goes through the root logger
 *   (log/request-log.ts).
 */

/**
 * Route options for a route whose security headers come from helmet once, then from a copy:
 * spread into the route's options (`{ ...onceHelmet(), preHandler: … }`).
 */
export function onceHelmet(): { helmet: false; onRequest: onRequestHookHandler } {
  let headers: Record<string, string | number | string[]> | undefined;
  return {
    helmet: false,
    onRequest: function replayHelmetHeaders(this: FastifyInstance, _request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
      if (headers) {
        reply.headers(headers);
        return done();
      }
      // The first request takes helmet's headers as the app configured it (they land on the raw response).
      if (typeof reply.helmet !== 'function') {
        headers = {}; // helmet is not registered in this app: nothing to replay
        return done();
      }
      Promise.resolve(reply.helmet())
        .then(() => {
          headers = { ...(reply.raw.getHeaders() as Record<string, string | number | string[]>) };
          done();
        })
        .catch(done);
    },
  };
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A request logger whose pino child is created on the first line logged at an enabled level. */
class LazyChildLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.real?.level ?? this.opts.level ?? this.parent.level;
  }

  set level(level: string) {
    this.materialize().level = level;
  }

  private materialize(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, this.opts));
  }

  private enabled(level: Level): boolean {
    if (this.real) return true;
    const values = (this.parent as unknown as { levels?: { values: Record<string, number> } }).levels?.values;
    if (!values) return true;
    return (values[level] ?? 0) >= (values[this.opts.level ?? this.parent.level] ?? 0);
  }

  private log(level: Level, args: unknown[]): void {
    if (this.enabled(level)) (this.materialize()[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]) {
    this.log('fatal', args);
  }
  error(...args: unknown[]) {
    this.log('error', args);
  }
  warn(...args: unknown[]) {
    this.log('warn', args);
  }
  info(...args: unknown[]) {
    this.log('info', args);
  }
  debug(...args: unknown[]) {
    this.log('debug', args);
  }
  trace(...args: unknown[]) {
    this.log('trace', args);
  }
  silent() {}

  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger {
    return this.materialize().child(bindings, opts);
  }

  isLevelEnabled(level: string): boolean {
    return this.enabled(level as Level);
  }
}

/** Makes every request of this plugin's routes log through a LazyChildLogger. */
export function useLazyRequestLoggers(app: FastifyInstance): void {
  app.setChildLoggerFactory(
    (logger, bindings, opts) => new LazyChildLogger(logger, bindings, opts) as unknown as FastifyBaseLogger,
  );
}
