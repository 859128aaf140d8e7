import { afterEach, describe, expect, it } from 'vitest';
import { Keyring, generateKeySpec, parseKeySpecs } from '../../src/crypto/keyring.js';
import { rotateKeys } from '../../src/crypto/rotate.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { migrate, migrationsApplied } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { Grants } from '../../src/grants/grants.js';
import { freshStorage, onPostgresServer, type TestStorage } from '../support/database.js';

describe('storage', () => {
  let storage: TestStorage | undefined;
  const open: Database[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.close()));
    await storage?.cleanup();
  });
  const openDb = async () => {
    const db = await storage!.open();
    open.push(db);
    return db;
  };

  it('migrates an empty database, then finds nothing to do the second time', async () => {
    storage = await freshStorage({ migrated: false });
    const db = await openDb();
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db)).toEqual([]);
    expect(await migrationsApplied(db)).toBe(true);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['user_google_tokens', 'connect_tokens', 'oauth_flows', 'schema_migrations']));
  });

  it.runIf(onPostgresServer())('lets two starters migrate one server database at once without racing', async () => {
    storage = await freshStorage({ migrated: false });
    const [a, b] = await Promise.all([openDb(), openDb()]);
    const results = await Promise.all([migrate(a), migrate(b), migrate(a), migrate(b)]);
    expect(results.flat().sort()).toEqual(MIGRATIONS.map((m) => m.id).sort());
    expect(await migrationsApplied(b)).toBe(true);
  });

  it.runIf(!onPostgresServer())('runs the embedded database with 16 MB of shared buffers, not the 128 MB initdb picks', async () => {
    storage = await freshStorage();
    const db = await openDb();
    expect(await db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
  });

  it('reports a clear error when PostgreSQL is unreachable', async () => {
    await expect(openDatabase({ url: 'postgres://nobody:pw@127.0.0.1:1/none', dataDir: '/tmp' })).rejects.toThrow(
      /PostgreSQL at 127\.0\.0\.1:1\/none is unreachable/,
    );
  });

  it('rotates every sealed value to the primary key online, old rows readable throughout', async () => {
    storage = await freshStorage();
    const db = await openDb();
    const oldSpec = generateKeySpec('old');
    const oldKeys = new Keyring(parseKeySpecs(oldSpec));
    const writer = new Grants(db, oldKeys, Date.now);
    for (let i = 0; i < 30; i++) {
      await writer.saveConnection({
        serenUserId: `user-${i}`, refreshToken: `1//refresh-${i}`, scopes: ['openid'], googleSubject: `sub-${i}`,
        googleEmail: `u${i}@example.com`, accessToken: `ya29.access-${i}`, accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
      });
    }
    const newKeys = new Keyring(parseKeySpecs(`${generateKeySpec('new')},${oldSpec}`));
    const reader = new Grants(db, newKeys, Date.now);
    const progress: number[] = [];
    // Read every row while rotation runs: each must open at every moment.
    const reads = (async () => {
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 30; i += 7) {
          const grant = (await reader.find(`user-${i}`))!;
          expect(newKeys.open(grant.refreshTokenSealed, `user-${i}`)).toBe(`1//refresh-${i}`);
        }
      }
    })();
    const counts = await rotateKeys(db, newKeys, (_where, done) => progress.push(done));
    await reads;
    expect(counts).toEqual({ rotated: 60, skipped: 0, failed: 0 });
    expect(progress.length).toBeGreaterThan(0);
    const rows = await db.query<{ r: string; a: string }>('SELECT refresh_token_encrypted AS r, access_token_encrypted AS a FROM user_google_tokens');
    expect(rows.every((row) => row.r.startsWith('v1.new.') && row.a.startsWith('v1.new.'))).toBe(true);
    expect(await rotateKeys(db, newKeys)).toEqual({ rotated: 0, skipped: 0, failed: 0 });
  });

  it('counts a value no key can open as failed and leaves it alone', async () => {
    storage = await freshStorage();
    const db = await openDb();
    const stranger = new Keyring(parseKeySpecs(generateKeySpec('lost')));
    await new Grants(db, stranger, Date.now).saveConnection({
      serenUserId: 'u', refreshToken: '1//r', scopes: [], googleSubject: 's', googleEmail: undefined,
      accessToken: 'a', accessTokenExpiresAt: new Date(),
    });
    const keys = new Keyring(parseKeySpecs(generateKeySpec('k')));
    expect(await rotateKeys(db, keys)).toEqual({ rotated: 0, skipped: 0, failed: 2 });
  });
});
