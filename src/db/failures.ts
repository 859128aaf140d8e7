/**
 * The database could not be reached, or did not answer in time: a temporary condition, answered
 * `503 service_unavailable` with `Retry-After` (SPEC §3). Anything else a query throws (a
 * constraint, a bug in our SQL) stays what it is.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Socket-level failures of the connection to the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * SQLSTATEs that mean "not now" rather than "wrong": connection exceptions (08), insufficient
 * resources (53, e.g. too many connections), operator intervention (57: shutdown, restart, and
 * 57014 = our statement_timeout cancelled a slow query), and 25P03 (our idle-in-transaction
 * time-out ended the session).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)|^25P03$/;

/** What node-postgres and PGlite say when the connection is gone or timed out (they set no code). */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end|PGlite is closed/i;

/** True when `err` means the database is unreachable or too slow (see DatabaseUnavailableError). */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return UNAVAILABLE_MESSAGE.test(err.message);
}

/** Rethrows a failure of the database as DatabaseUnavailableError when it is one; anything else unchanged. */
export function translated(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError || !isUnavailable(err)) return err;
  return new DatabaseUnavailableError(`the database is unavailable: ${(err as Error).message || (err as Error).name}`, { cause: err });
}
