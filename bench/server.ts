/**
 * A benchmark child process: serves one scenario on loopback and prints `READY <json>` (or, for
 * the burst, `RESULT <json>`) on stdout. Run by bench/run.ts; the load generator stays in the
 * parent so the two share the machine's cores the same way in every scenario.
 *
 *   baseline            a bare Fastify route answering a constant JSON (the machine's ceiling)
 *   service [users]     the service with `users` connected Seren users (env BENCH_DATABASE_URL: PostgreSQL)
 *   burst [n]           two instances on one database, n concurrent exchanges for one user whose token is stale
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';
import { AdjustableClock } from '../src/clock.js';
import { type Instance, connectedUser, openWorldDatabase, startInstance, startWorld } from './world.js';

const [mode = 'baseline', arg] = process.argv.slice(2);
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
const logLevel = process.env.BENCH_LOG_LEVEL || 'warn';

const say = (tag: 'READY' | 'RESULT', payload: unknown) => process.stdout.write(`${tag} ${JSON.stringify(payload)}\n`);

async function baseline() {
  const app = Fastify();
  const answer = { access_token: 'ya29.constant', expires_in: 3540, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/gmail.readonly' };
  app.post('/token/exchange', async () => answer);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  say('READY', { url });
  return () => app.close();
}

async function service(userCount: number) {
  const world = await startWorld({ databaseUrl, logLevel });
  const clock = new AdjustableClock();
  const db = await openWorldDatabase(world);
  const instance = await startInstance(world, db, clock);
  const keys: string[] = [];
  for (let i = 0; i < userCount; i++) keys.push(await connectedUser(world, instance, clock));
  say('READY', { url: instance.url, issuer: world.google.issuer, keys });
  return async () => {
    await instance.close();
    await db.close();
    await world.close();
  };
}

async function burst(n: number) {
  const world = await startWorld({ databaseUrl, logLevel });
  const clock = new AdjustableClock();
  // Embedded: both instances share the one PGlite handle (it belongs to one process); PostgreSQL: a pool each.
  const dbA = await openWorldDatabase(world);
  const dbB = databaseUrl ? await openWorldDatabase(world) : dbA;
  const instances: Instance[] = [await startInstance(world, dbA, clock), await startInstance(world, dbB, clock)];
  const key = await connectedUser(world, instances[0]!, clock);
  // Warm both instances (identity cache, memory cache), then make the cached token too old for gmail.
  for (const i of instances) await post(i.url, key);
  clock.advance(60);
  world.google.resetCalls();
  const latencies: number[] = [];
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const t0 = performance.now();
      const res = await post(instances[i % 2]!.url, key);
      latencies.push(performance.now() - t0);
      return res;
    }),
  );
  const elapsedMs = performance.now() - started;
  say('RESULT', {
    requests: n,
    ok: answers.filter((a) => a.status === 200).length,
    distinct_tokens: new Set(answers.map((a) => a.token)).size,
    upstream_refreshes: world.google.calls.token_refresh,
    elapsed_ms: elapsedMs,
    latencies_ms: latencies,
  });
  for (const i of instances) await i.close();
  await dbA.close();
  if (dbB !== dbA) await dbB.close();
  await world.close();
  return async () => {};
}

async function post(url: string, key: string) {
  const res = await fetch(`${url}/token/exchange?publisher=gmail`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, token: body.access_token };
}

let stop: () => Promise<void> = async () => {};
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const stopOnSignal = () => {
  if (process.env.BENCH_LOOP_DELAY) {
    const ms = (ns: number) => (ns / 1e6).toFixed(2);
    process.stderr.write(`event loop delay: p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms\n`);
  }
  void stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stopOnSignal);
process.on('SIGINT', stopOnSignal);

try {
  if (mode === 'baseline') stop = await baseline();
  else if (mode === 'service') stop = await service(Number(arg ?? 1));
  else if (mode === 'burst') {
    await burst(Number(arg ?? 1000));
    process.exit(0);
  } else throw new Error(`unknown mode ${mode}`);
} catch (err) {
  process.stderr.write(`bench server (${mode}) failed: ${(err as Error).stack}\n`);
  process.exit(1);
}

