import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { lockEmbeddedDirectory } from './embedded-lock.js';

/** Something SQL can be sent to: the database, or one transaction of it. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs several statements at once, without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The one seam between the service and PostgreSQL: PGlite (embedded, real PostgreSQL in WASM)
 * and a `pg` pool speak the same SQL behind it.
 */
export interface Database extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /** Runs fn in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {}

/** Opens PostgreSQL when a URL is given, else the embedded database under dataDir (`memory://` keeps it in memory). */
export async function openDatabase(opts: { url?: string | undefined; dataDir: string }): Promise<Database> {
  return opts.url ? openPostgres(opts.url) : openEmbedded(opts.dataDir);
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const dir = inMemory ? dataDir : `${dataDir}/pglite`;
  let unlock = () => {};
  let lite: PGlite;
  try {
    if (!inMemory) {
      mkdirSync(dir, { recursive: true });
      unlock = await lockEmbeddedDirectory(dir);
    }
    lite = await PGlite.create(dir);
  } catch (err) {
    unlock();
    throw new DatabaseUnavailableError(`the embedded database could not be opened: ${(err as Error).message}`);
  }
  const on = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <R>(sql: string, params?: readonly unknown[]) => (await q.query<R>(sql, params as unknown[])).rows,
    exec: async (sql) => void (await q.exec(sql)),
  });
  return {
    kind: 'embedded',
    ...on(lite),
    transaction: (fn) => lite.transaction((tx) => fn(on(tx))),
    close: () => lite.close().finally(unlock),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    (await pool.connect()).release();
  } catch (err) {
    await pool.end().catch(() => {});
    const where = safeDatabaseLocation(url);
    throw new DatabaseUnavailableError(`PostgreSQL at ${where} is unreachable: ${(err as Error).message}`);
  }
  const on = (q: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <R>(sql: string, params?: readonly unknown[]) => (await q.query(sql, params as unknown[])).rows as R[],
    exec: async (sql) => void (await q.query(sql)),
  });
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
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
