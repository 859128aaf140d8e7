/**
 * Every `POST /token/exchange` answers within this, counted from the request's arrival (Seren
 * identity, database and Google included): a hanging Google or a slow database costs the gateway
 * at most this long, then it gets a degraded answer or a 503 with `Retry-After`. Set the
 * gateway's time-out for the exchange above it (docs/token-exchange.md).
 */
export const EXCHANGE_DEADLINE_MS = 5_000;

/** The deadline passed before the work settled; the work itself goes on (a refresh still stores what it gets). */
export class DeadlineExceeded extends Error {
  constructor() {
    super('the exchange deadline passed');
    this.name = 'DeadlineExceeded';
  }
}

/**
 * `work`'s outcome, or DeadlineExceeded once `deadline` (a `performance.now()` instant) comes
 * first. Abandoned work is not cancelled; its later failure is swallowed, not left unhandled.
 */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  const left = deadline - performance.now();
  if (left <= 0) {
    work.catch(() => {});
    throw new DeadlineExceeded();
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      work.catch(() => {});
      reject(new DeadlineExceeded());
    }, left);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
