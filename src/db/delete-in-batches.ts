import type { Queryable } from './database.js';

/** Rows deleted per statement: a large backlog is removed in short statements, never one long lock. */
export const DELETE_BATCH = 5_000;

/**
 * Deletes the rows of `table` matching `where` (SQL over its columns, with $1… params), at most
 * DELETE_BATCH per statement, keyed by the primary-key column `key`; returns how many went.
 * `table`, `key` and `where` are code constants, never request data.
 */
export async function deleteInBatches(db: Queryable, table: string, key: string, where: string, params: readonly unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${DELETE_BATCH}) RETURNING 1
       ) SELECT COUNT(*)::int AS n FROM gone`,
      params,
    );
    const n = row?.n ?? 0;
    total += n;
    if (n < DELETE_BATCH) return total;
  }
}
