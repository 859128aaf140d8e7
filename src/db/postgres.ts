import pg from 'pg';
import type { Database, Queryable } from './database.js';
import { DatabaseUnavailableError, translated } from './failures.js';
import { listenOnPostgres } from './pg-listener.js';
import { MAINTENANCE_TIMEOUTS, POOL_TIMEOUTS, sessionLimits } from './timeouts.js';

/**
 * PostgreSQL through a bounded `pg` pool (DB_TIMEOUTS). A connection that fails with an
 * "unavailable" error is destroyed rather than returned to the pool; and since such a failure
 * usually hits every connection at once (a failover, a NAT that forgot them all), each one
 * opened before the latest failure is discarded when next borrowed instead of being tried: once
 * the database is back, the first request gets a fresh connection instead of waiting out a
 * stranded one's time-out.
 */
export async function openPostgres(url: string, opts: { maintenance: boolean } = { maintenance: false }): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...(opts.maintenance ? MAINTENANCE_TIMEOUTS : POOL_TIMEOUTS) });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let failures = 0;
  const openedAfter = new WeakMap<pg.PoolClient, number>();
  pool.on('connect', (client) => openedAfter.set(client, failures));

  const borrow = async (): Promise<pg.PoolClient> => {
    for (;;) {
      const client = await pool.connect().catch((err) => {
        failures++;
        throw translated(err);
      });
      if ((openedAfter.get(client) ?? failures) >= failures) return client;
      client.release(new Error('opened before the latest database failure'));
    }
  };
  /**
   * Runs `work` on a borrowed client; a client that failed as unavailable is destroyed, and so is
   * one whose prepared statements went wrong (it would fail the same way on every later use).
   */
  const withClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await borrow();
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (err) {
      if (err instanceof DatabaseUnavailableError) {
        broken = err;
        failures++;
      } else if (preparedStatementFailed(err)) {
        broken = err as Error;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  };
  /** A named statement, retried once unnamed on another connection when the prepared one failed. */
  const query = async <R>(sql: string, params?: readonly unknown[], name?: string): Promise<R[]> => {
    try {
      return await withClient((client) => on(client).query<R>(sql, params, name));
    } catch (err) {
      if (!name || !preparedStatementFailed(err)) throw err;
      return withClient((client) => on(client).query<R>(sql, params));
    }
  };
  const on = (client: pg.PoolClient, queryTimeoutMs?: number): Queryable => ({
    query: async <R>(sql: string, params?: readonly unknown[], name?: string) => (await run(client, sql, params, queryTimeoutMs, name)).rows as R[],
    exec: async (sql) => void (await run(client, sql, undefined, queryTimeoutMs)),
  });

  try {
    await withClient(async () => {});
  } catch (err) {
    await pool.end().catch(() => {});
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    throw new DatabaseUnavailableError(`PostgreSQL at ${safeDatabaseLocation(url)} is unreachable: ${(cause as Error).message}`, { cause });
  }
  return {
    kind: 'postgres',
    query,
    exec: (sql) => withClient((client) => on(client).exec(sql)),
    transaction: (fn, opts = {}) =>
      withClient(async (client) => {
        await run(client, 'BEGIN');
        try {
          for (const statement of sessionLimits(opts)) await run(client, statement);
          const result = await fn(on(client, opts.timeoutMs));
          await run(client, 'COMMIT');
          return result;
        } catch (err) {
          // A broken connection is destroyed (the server rolls back); only a healthy one is asked to.
          if (!(err instanceof DatabaseUnavailableError)) await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      }),
    listen: (channel, onMessage, onGap) => listenOnPostgres(url, channel, onMessage, onGap),
    close: () => pool.end(),
  };
}

async function run(client: pg.PoolClient, text: string, values?: readonly unknown[], queryTimeoutMs?: number, name?: string): Promise<pg.QueryResult> {
  try {
    return await client.query({ text, values: values as unknown[] | undefined, ...(name ? { name } : {}), ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}) });
  } catch (err) {
    throw translated(err);
  }
}

/**
 * A named prepared statement the server no longer honours: its plan outdated by a migration
 * another instance ran ("cached plan must not change result type", 0A000), or a pooler that
 * moved the session to a connection without it (26000) or already holding the name (42P05).
 */
const PREPARED_STATEMENT_FAILURES = new Set(['0A000', '26000', '42P05']);

function preparedStatementFailed(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PREPARED_STATEMENT_FAILURES.has(code);
}

/** host:port/database of a connection URL, without the user or password. */
export function safeDatabaseLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
