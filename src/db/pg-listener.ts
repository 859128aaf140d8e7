import pg from 'pg';

/** Reconnect back-off of the listening connection. */
const RECONNECT_MS = [100, 500, 1_000, 2_000, 5_000];

/**
 * LISTEN on a dedicated PostgreSQL connection (a pooled one would be handed to queries), kept
 * open: when it drops it reconnects with back-off, and `onGap` is called once listening again,
 * because notifications sent meanwhile are lost (the caller then forgets whatever they guard).
 */
export async function listenOnPostgres(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  onGap: () => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    c.on('notification', (msg) => msg.channel === channel && onMessage(msg.payload ?? ''));
    c.on('error', () => reconnect(0));
    c.on('end', () => reconnect(0));
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = c;
  };

  const reconnect = (attempt: number) => {
    if (stopped || timer) return;
    const old = client;
    client = undefined;
    void old?.end().catch(() => {});
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(onGap, () => reconnect(attempt + 1));
    }, RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)]);
    timer.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => {});
  };
}
