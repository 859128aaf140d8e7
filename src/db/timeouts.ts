/**
 * How long the service waits on PostgreSQL (SPEC §3 `service_unavailable`, §9 `/ready`). Without
 * these, a connection that went silent (a NAT or a failover dropping it without a reset) held
 * its request until the kernel gave up on TCP, about 15 minutes, and the pool never recovered.
 */
export const DB_TIMEOUTS = Object.freeze({
  /** Opening a connection, or waiting for a free one in the pool. */
  connectMs: 2_000,
  /**
   * Client side, per query: the answer must arrive within this, else the query fails and its
   * connection is destroyed. This is what ends a stranded connection.
   */
  queryMs: 3_000,
  /** Server side: a statement running longer is cancelled (the connection stays usable). */
  statementMs: 2_500,
  /** Server side: a session idle inside a transaction this long is ended (its locks freed). */
  idleInTransactionMs: 5_000,
  /** TCP keepalive probes start after this much silence on a pooled connection. */
  keepAliveInitialDelayMs: 10_000,
});

/** node-postgres pool and connection settings from DB_TIMEOUTS. */
export const POOL_TIMEOUTS = Object.freeze({
  connectionTimeoutMillis: DB_TIMEOUTS.connectMs,
  query_timeout: DB_TIMEOUTS.queryMs,
  statement_timeout: DB_TIMEOUTS.statementMs,
  idle_in_transaction_session_timeout: DB_TIMEOUTS.idleInTransactionMs,
  keepAlive: true,
  keepAliveInitialDelayMillis: DB_TIMEOUTS.keepAliveInitialDelayMs,
});

/**
 * A one-off command (`keys rotate`, `migrate`, the installation re-bind) may scan whole tables:
 * no statement or query time-out, only the bounded connect and the keepalive.
 */
export const MAINTENANCE_TIMEOUTS = Object.freeze({
  connectionTimeoutMillis: DB_TIMEOUTS.connectMs,
  keepAlive: true,
  keepAliveInitialDelayMillis: DB_TIMEOUTS.keepAliveInitialDelayMs,
});

export interface TransactionOptions {
  /** Bound for each statement of this transaction instead of the pool's (migrations may take long). */
  timeoutMs?: number;
}

/** The SET LOCAL statements that give one transaction its own bounds. */
export function sessionLimits(opts: TransactionOptions): string[] {
  if (opts.timeoutMs === undefined) return [];
  const ms = Math.max(1, Math.floor(opts.timeoutMs));
  return [`SET LOCAL statement_timeout = ${ms}`, `SET LOCAL idle_in_transaction_session_timeout = ${ms}`];
}
