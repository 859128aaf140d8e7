import type { Database, Queryable } from '../src/db/database.js';

/**
 * The service's database seam with a counter: every statement sent (a transaction adds its BEGIN
 * and COMMIT), so the benchmark can report database round trips per exchange.
 */
export function countStatements(db: Database): { db: Database; statements: () => number } {
  let statements = 0;
  const counted = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      statements++;
      return q.query(sql, params);
    },
    exec: (sql) => {
      statements++;
      return q.exec(sql);
    },
  });
  const wrapped: Database = {
    ...db,
    ...counted(db),
    transaction: (fn) => {
      statements += 2;
      return db.transaction((tx) => fn(counted(tx)));
    },
  };
  return { db: wrapped, statements: () => statements };
}
