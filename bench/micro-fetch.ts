/**
 * CPU per outbound call: fetch with AbortSignal.timeout (as before) against the service's
 * HttpClient, to a fake Seren in its own process, alternating rounds.
 *   npx tsx bench/micro-fetch.ts [calls]
 */
import { HttpClient } from '../src/net/http-client.js';
import { startUpstreams } from './scenarios.js';

const calls = Number(process.argv[2] ?? 2000);
const up = await startUpstreams(0);
const url = new URL(`${up.seren.url}/auth/me`);
const headers = { authorization: 'Bearer sk_bench_1', accept: 'application/json' };
const http = new HttpClient();
const viaFetch = async () => (await fetch(url, { headers, signal: AbortSignal.timeout(3000) })).json();
const viaClient = async () => JSON.parse((await http.request(url, { method: 'GET', headers, deadline: performance.now() + 3000 })).body.toString());
const measure = async (f: () => Promise<unknown>) => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls;
};
const best = { fetch: Infinity, client: Infinity };
for (let round = 0; round < 4; round++) {
  best.fetch = Math.min(best.fetch, await measure(viaFetch));
  best.client = Math.min(best.client, await measure(viaClient));
}
console.log(`CPU per call (best of 4 rounds of ${calls}): fetch + AbortSignal.timeout ${best.fetch.toFixed(0)} µs, HttpClient ${best.client.toFixed(0)} µs`);
http.destroy();
await up.google.stop();
await up.seren.stop();
