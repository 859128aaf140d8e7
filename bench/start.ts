/**
 * Start-up as an operator sees it: the compiled service (`node <build>/src/cli/entry.js serve`, what the
 * image runs) from spawn until `GET /ready` answers 200, and its RSS then. Three starts: a fresh
 * embedded DATA_DIR (the database is created), the same directory again, and PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { BUILD_DIR, definedOnly } from './proc.js';

export interface StartMeasure {
  ms: number;
  rss_mb: number;
  rss_peak_mb: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

const statusMb = (pid: number, field: string) => {
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round((Number(kb ?? 0) / 1024) * 10) / 10;
};

/** One start of the compiled service with `env`; stops it again once measured. */
export async function measureStart(env: Record<string, string | undefined>): Promise<StartMeasure> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [`${BUILD_DIR}src/cli/entry.js`, 'serve'], {
    env: definedOnly({ ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited during start:\n${stderr}`);
      if (performance.now() - started > 60_000) throw new Error('the service was not ready within 60 s');
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
      if (ready) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = Math.round(performance.now() - started);
    return { ms, rss_mb: statusMb(child.pid!, 'VmRSS'), rss_peak_mb: statusMb(child.pid!, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
