import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';

/** Where a test's service keeps its data: its own PostgreSQL database, or its own embedded directory. */
export interface TestStorage {
  /** Set when the suite runs against the PostgreSQL server (DATABASE_URL given to `npm test`). */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Env variables that point a service at this storage. */
  env: Record<string, string>;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

export const onPostgresServer = () => Boolean(process.env.DATABASE_URL);

/**
 * A fresh, migrated-or-empty storage per test file: a new database on the server when
 * DATABASE_URL is set, else a copy of the migrated embedded template (or an empty directory).
 */
export async function freshStorage(opts: { migrated?: boolean } = {}): Promise<TestStorage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sga-test-'));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    if (opts.migrated !== false) cpSync(inject('pgliteTemplate'), dataDir, { recursive: true });
    return {
      databaseUrl: undefined,
      dataDir,
      env: { DATA_DIR: dataDir },
      open: () => openDatabase({ dataDir }),
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `sga_t_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  if (opts.migrated !== false) {
    const db = await openDatabase({ url: databaseUrl, dataDir });
    await migrate(db);
    await db.close();
  }
  return {
    databaseUrl,
    dataDir,
    env: { DATABASE_URL: databaseUrl, DATA_DIR: dataDir },
    open: () => openDatabase({ url: databaseUrl, dataDir }),
    cleanup: async () => {
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function admin(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
