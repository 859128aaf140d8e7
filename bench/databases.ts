/** Scratch databases for one benchmark run: created at its start, dropped at its end. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Target {
  kind: 'postgres' | 'embedded';
  /** Environment that points the service (or the seeder) at it. */
  env: Record<string, string | undefined>;
  /**
   * Lets the server catch up before a measurement: the dead rows the previous scenario's
   * updates left vacuumed, and its dirty pages written (a checkpoint), so autovacuum and the
   * checkpointer do not run inside the next window. Nothing to do for the embedded database,
   * which lives and dies with each service process.
   */
  settle(): Promise<void>;
  drop(): Promise<void>;
}

/** A new database on the PostgreSQL server that `serverUrl` names (its own database is not touched). */
export async function scratchPostgres(serverUrl: string, name: string): Promise<Target> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'sga-bench-pg-'));
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url.toString(), DATA_DIR: dir },
    async settle() {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try {
        await c.query('VACUUM (ANALYZE) user_google_tokens');
        await c.query('CHECKPOINT');
      } finally {
        await c.end();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A new embedded DATA_DIR. */
export function scratchEmbedded(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'sga-bench-'));
  return {
    kind: 'embedded',
    env: { DATABASE_URL: undefined, DATA_DIR: dir },
    async settle() {},
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
