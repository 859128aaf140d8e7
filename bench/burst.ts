/**
 * A benchmark child process (scenario e): two service instances on one database (env
 * BENCH_DATABASE_URL: PostgreSQL, else embedded), n concurrent exchanges for one user whose
 * token has aged out, and how many refreshes reached Google (target: 1). The emulated Google
 * runs in this process: what counts here is the refresh count, not CPU.
 *
 *   node --import tsx bench/burst.ts <n>
 */
import { AdjustableClock } from '../src/clock.js';
import { type Instance, connectedUser, openWorldDatabase, startInstance, startWorld } from './world.js';

const n = Number(process.argv[2] ?? 1000);
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;

async function post(url: string, key: string) {
  const res = await fetch(`${url}/token/exchange?publisher=gmail`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, token: body.access_token };
}

const world = await startWorld({ databaseUrl, logLevel: 'warn' });
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
process.send!({
  result: {
    requests: n,
    ok: answers.filter((a) => a.status === 200).length,
    distinct_tokens: new Set(answers.map((a) => a.token)).size,
    upstream_refreshes: world.google.calls.token_refresh,
    elapsed_ms: elapsedMs,
    latencies_ms: latencies.sort((a, b) => a - b),
  },
});
for (const i of instances) await i.close();
await dbA.close();
if (dbB !== dbA) await dbB.close();
await world.close();
process.disconnect();
