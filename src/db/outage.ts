import type { Logger } from '../log/logger.js';
import type { Database, Queryable } from './database.js';
import { DatabaseUnavailableError } from './failures.js';

/**
 * One log line when the database becomes unavailable, one when it answers again: an outage is an
 * episode, not a stack trace per request (thousands a second from the gateway). Wraps the
 * service's Database; every statement's outcome moves the state.
 */
export function logOutages(db: Database, logger: Logger): Database {
  let down: { since: number; failures: number } | undefined;
  const failed = (err: unknown) => {
    if (!(err instanceof DatabaseUnavailableError)) return;
    if (down) {
      down.failures++;
      return;
    }
    down = { since: performance.now(), failures: 1 };
    const cause = err.cause instanceof Error ? err.cause.message : err.message;
    logger.error({ database: db.kind, cause }, 'database unavailable: answering 503 service_unavailable until it is back');
  };
  const succeeded = () => {
    if (!down) return;
    const { since, failures } = down;
    down = undefined;
    logger.warn({ database: db.kind, outage_seconds: Math.round((performance.now() - since) / 100) / 10, failed_operations: failures }, 'database available again');
  };
  const watched = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      const result = await run();
      succeeded();
      return result;
    } catch (err) {
      failed(err);
      throw err;
    }
  };
  const on = (q: Queryable): Queryable => ({
    query: <R>(sql: string, params?: readonly unknown[], name?: string) => watched(() => q.query<R>(sql, params, name)),
    exec: (sql: string) => watched(() => q.exec(sql)),
  });
  return {
    kind: db.kind,
    ...on(db),
    transaction: (fn, opts) => watched(() => db.transaction((tx) => fn(on(tx)), opts)),
    listen: (channel, onMessage, onGap) => db.listen(channel, onMessage, onGap),
    close: () => db.close(),
  };
}
