import type { Database } from '../db/database.js';
import { DecryptError, type Keyring } from './keyring.js';

/** Every sealed column, with its row key and the column holding its owner (the AAD). */
export const SEALED_COLUMNS = [
  { table: 'user_google_tokens', key: 'id', column: 'refresh_token_encrypted', owner: 'seren_user_id' },
  { table: 'user_google_tokens', key: 'id', column: 'access_token_encrypted', owner: 'seren_user_id' },
  { table: 'oauth_flows', key: 'state_hash', column: 'secrets_encrypted', owner: 'seren_user_id' },
  { table: 'pending_revocations', key: 'id', column: 'token_encrypted', owner: 'seren_user_id' },
  { table: 'connect_tokens', key: 'token_hash', column: 'token_sealed', owner: 'seren_user_id' },
] as const;

export interface RotationCounts {
  rotated: number;
  /** Changed by the running service while we worked: it already wrote a fresh value. */
  skipped: number;
  /** Could not be opened with any configured key. */
  failed: number;
}

const BATCH = 200;

/**
 * Re-encrypts every value not sealed under the primary key, online: each row is replaced only
 * if it still holds the value we read, so a concurrent write by the service is never undone.
 */
export async function rotateKeys(
  db: Database,
  keyring: Keyring,
  onProgress: (where: string, done: number, total: number) => void = () => {},
): Promise<RotationCounts> {
  const counts: RotationCounts = { rotated: 0, skipped: 0, failed: 0 };
  const primaryPrefix = `v1.${keyring.primaryKid}.%`;
  for (const { table, key, column, owner } of SEALED_COLUMNS) {
    const where = `${table}.${column}`;
    const stale = `${column} IS NOT NULL AND ${column} NOT LIKE $1`;
    const [{ total } = { total: 0 }] = await db.query<{ total: number }>(`SELECT COUNT(*)::int AS total FROM ${table} WHERE ${stale}`, [primaryPrefix]);
    let done = 0;
    let after = '';
    onProgress(where, done, total);
    for (;;) {
      const rows = await db.query<{ k: string; owner: string; value: string }>(
        `SELECT ${key}::text AS k, ${owner} AS owner, ${column} AS value FROM ${table}
          WHERE ${stale} AND ${key}::text > $2 ORDER BY ${key}::text LIMIT ${BATCH}`,
        [primaryPrefix, after],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.k;
        let plaintext: string;
        try {
          plaintext = keyring.open(row.value, row.owner);
        } catch (err) {
          if (!(err instanceof DecryptError)) throw err;
          counts.failed++;
          continue;
        }
        const updated = await db.query(
          `UPDATE ${table} SET ${column} = $1 WHERE ${key}::text = $2 AND ${column} = $3 RETURNING 1`,
          [keyring.seal(plaintext, row.owner), row.k, row.value],
        );
        if (updated.length === 1) counts.rotated++;
        else counts.skipped++;
      }
      done += rows.length;
      onProgress(where, Math.min(done, total), total);
    }
  }
  return counts;
}
