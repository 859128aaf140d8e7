import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { lockEmbeddedDirectory } from './embedded-lock.js';
import { openPGlite } from './embedded-memory.js';
import { DatabaseUnavailableError, translated } from './failures.js';
import { openPostgres, safeDatabaseLocation } from './postgres.js';
import type { TransactionOptions } from './timeouts.js';

export { DatabaseUnavailableError, safeDatabaseLocation };

/** Something SQL can be sent to: the database, or one transaction of it. */
export interface Queryable {
  /**
   * `name` makes it a named prepared statement on PostgreSQL (parsed and planned once per
   * connection): for the hot path's few fixed statements only, never for SQL built at run time.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], name?: string): Promise<R[]>;
  /** Runs several statements at once, without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The one seam between the service and PostgreSQL: PGlite (embedded, real PostgreSQL in WASM)
 * and a `pg` pool speak the same SQL behind it.
 */
export interface Database extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /**
   * Runs fn in one transaction; rolls back when it throws. Statements are bounded by the pool's
   * time-outs unless `opts.timeoutMs` says otherwise (migrations).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Receives `NOTIFY channel` payloads (sent by any instance on this database, at commit).
   * `onGap` is called when some may have been missed (the listening connection dropped and came
   * back). Resolves to a function that stops listening.
   */
  listen(channel: string, onMessage: (payload: string) => void, onGap: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Opens PostgreSQL when a URL is given, else the embedded database under dataDir (`memory://` keeps it in memory). */
export async function openDatabase(opts: { url?: string | undefined; dataDir: string; maintenance?: boolean }): Promise<Database> {
  return opts.url ? openPostgres(opts.url, { maintenance: opts.maintenance ?? false }) : openEmbedded(opts.dataDir);
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const dir = inMemory ? dataDir : `${dataDir}/pglite`;
  let unlock = () => {};
  let lite: PGlite;
  try {
    if (!inMemory) {
      // Owner-only, whatever the umask: the files hold every user's (sealed) grants.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      unlock = await lockEmbeddedDirectory(dir);
    }
    lite = await openPGlite(dir);
  } catch (err) {
    unlock();
    throw new DatabaseUnavailableError(`the embedded database could not be opened: ${(err as Error).message}`, { cause: err });
  }
  // In-process: no network to lose and no time-outs to set; a closed database still answers 503.
  const on = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <R>(sql: string, params?: readonly unknown[]) => (await q.query<R>(sql, params as unknown[]).catch(rethrow)).rows,
    exec: async (sql) => void (await q.exec(sql).catch(rethrow)),
  });
  return {
    kind: 'embedded',
    ...on(lite),
    transaction: (fn) => lite.transaction((tx) => fn(on(tx))).catch(rethrow),
    // One process owns the embedded database: notifications never have a gap.
    listen: async (channel, onMessage) => {
      const unlisten = await lite.listen(channel, onMessage);
      return () => unlisten();
    },
    close: () => lite.close().finally(unlock),
  };
}

function rethrow(err: unknown): never {
  throw translated(err);
}
