/**
 * A benchmark child process (IPC): the service as `seren-google-auth serve` starts it, or a bare
 * Fastify route beside it. Its logs go to stdout like in production (the parent points stdout
 * at /dev/null), so log lines cost what they cost there.
 *
 *   node --import tsx bench/service.ts service   (configured by the environment, like `serve`)
 *   node --import tsx bench/service.ts bare
 *
 * Sends `{ready: {url}}`; answers `{stats: true}` with the process's own counters since start:
 * CPU (process.cpuUsage), database statements sent (counted at the Database seam), requests
 * received, RSS now and its peak since the previous stats message (VmHWM, reset after each read), and GC pauses.
 * `{profile: 'start'}` starts V8's CPU profiler; `{profile: 'stop', file}` writes the profile
 * there (so a profile covers the measured windows, not start-up or warm-up).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import Fastify from 'fastify';
import { parseConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/log/logger.js';
import { startService } from '../src/runtime.js';
import { countStatements } from '../test/support/counted-database.js';

const mode = process.argv[2] ?? 'service';
let statements = () => 0;
let received = 0;
let gcCount = 0;
let gcMs = 0;
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcCount++;
    gcMs += e.duration;
    gcMaxMs = Math.max(gcMaxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

/** Peak RSS since the last reset, in bytes (Linux: VmHWM, reset through clear_refs); else RSS now. */
function peakRss(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    writeFileSync('/proc/self/clear_refs', '5');
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux, or not allowed: the current RSS is the best we have
  }
  return process.memoryUsage.rss();
}

function stats() {
  const cpu = process.cpuUsage();
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  const answer = {
    cpu_user_us: cpu.user,
    cpu_system_us: cpu.system,
    statements: statements(),
    received,
    rss_mb: mb(process.memoryUsage.rss()),
    rss_peak_mb: mb(peakRss()),
    heap_used_mb: mb(process.memoryUsage().heapUsed),
    heap_total_mb: mb(process.memoryUsage().heapTotal),
    gc_count: gcCount,
    gc_ms: gcMs,
    gc_max_ms: gcMaxMs,
  };
  gcMaxMs = 0;
  return answer;
}

async function bare() {
  const app = Fastify();
  const answer = { access_token: 'ya29.constant', expires_in: 3540, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/gmail.readonly' };
  app.post('/token/exchange', async () => answer);
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
}

async function service() {
  const config = parseConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
  const counted = countStatements(await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  statements = counted.statements;
  const running = await startService(config, { logger: createLogger(config.logLevel), database: counted.db });
  // Discovery runs in the background after listen: wait for it, as an operator waits for /ready.
  for (let i = 0; i < 500 && (await fetch(`${running.url}/ready`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
  return running;
}

let profiler: Session | undefined;

async function profile(m: { profile: 'start' | 'stop'; file?: string }) {
  if (m.profile === 'start' && !profiler) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  } else if (m.profile === 'stop' && profiler) {
    const { profile: result } = await profiler.post('Profiler.stop');
    writeFileSync(m.file!, JSON.stringify(result));
    profiler.disconnect();
    profiler = undefined;
  }
  return true;
}

try {
  const running = mode === 'bare' ? await bare() : await service();
  running.app.server.on('request', () => received++);
  process.on('message', (m: { stats?: boolean; profile?: 'start' | 'stop'; file?: string }) => {
    if (m.stats) process.send!({ stats: stats() });
    if (m.profile) void profile({ profile: m.profile, file: m.file }).then((profiled) => process.send!({ profiled }));
  });
  const stop = () => void running.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  peakRss(); // the peak counts from here: start-up is measured on its own (start.ts)
  process.send!({ ready: { url: running.url } });
} catch (err) {
  process.stderr.write(`bench ${mode} failed: ${(err as Error).stack}\n`);
  process.exit(1);
}
