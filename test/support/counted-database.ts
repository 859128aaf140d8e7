import type { Database, Queryable } from '../../src/db/database.js';

/** One statement the service sent, kept when recording. */
export interface SentStatement {
  sql: string;
  params: readonly unknown[];
}

/**
 * The service's database seam with a counter: every statement sent (a transaction adds its BEGIN
 * and COMMIT), so the benchmark can report database round trips per exchange and the tests can
 * check them. `record` also keeps each statement with its parameters (tests only: it grows).
 */
export function countStatements(db: Database, opts: { record?: boolean } = {}): { db: Database; statements: () => number; sent: SentStatement[] } {
  let statements = 0;
  const sent: SentStatement[] = [];
  const note = (sql: string, params: readonly unknown[] = []) => {
    statements++;
    if (opts.record) sent.push({ sql, params });
  };
  const counted = (q: Queryable): Queryable => ({
    query: (sql, params, name) => {
      note(sql, params);
      return q.query(sql, params, name);
    },
    exec: (sql) => {
      note(sql);
      return q.exec(sql);
    },
  });
  const wrapped: Database = {
    ...db,
    ...counted(db),
    transaction: (fn, opts) => {
      note('BEGIN');
      note('COMMIT');
      return db.transaction((tx) => fn(counted(tx)), opts);
    },
  };
  return { db: wrapped, statements: () => statements, sent };
}
