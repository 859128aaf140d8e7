import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseKeySpecs } from '../../src/crypto/keyring.js';
import { lockEmbeddedDirectory } from '../../src/db/embedded-lock.js';
import { runCli, startCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/harness.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sga-cli-'));
  dirs.push(d);
  return d;
};
const started: ReturnType<typeof startCli>[] = [];
const serve = (env: Record<string, string>) => {
  const cli = startCli(['serve'], env);
  started.push(cli);
  return cli;
};
afterAll(() => {
  // A test that failed half-way must not leave a server running.
  for (const { child } of started) if (child.exitCode === null) child.kill('SIGKILL');
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('the seren-google-auth command', () => {
  it('explains itself with --help, for each command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['serve', 'migrate', 'keys generate', 'keys rotate']) expect(top.stdout).toContain(c);
    const rotate = await runCli(['keys', 'rotate', '--help']);
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toMatch(/Usage: seren-google-auth keys rotate/);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: frobnicate');
  });

  it('keys generate prints a usable key', async () => {
    const run = await runCli(['keys', 'generate', '--kid', 'prod2']);
    expect(run.code).toBe(0);
    expect(parseKeySpecs(run.stdout.trim())[0]!.kid).toBe('prod2');
  });

  it('lists every configuration problem and exits non-zero', async () => {
    const run = await runCli(['serve'], { NODE_ENV: 'production', PORT: 'x', PUBLIC_URL: 'http://a.example' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/PORT: .*"x"/);
    expect(run.stderr).toMatch(/GOOGLE_CLIENT_ID: required when NODE_ENV=production/);
    expect(run.stderr).toMatch(/TOKEN_ENCRYPTION_KEYS: required in production/);
  });

  it('fails clearly when the database is unreachable at start', async () => {
    const run = await runCli(['migrate'], { DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/db', TOKEN_ENCRYPTION_KEYS: `k:${Buffer.alloc(32).toString('base64')}` });
    expect(run.code).toBe(69); // EX_UNAVAILABLE (README, exit codes)
    expect(run.stderr).toMatch(/PostgreSQL at 127\.0\.0\.1:1\/db is unreachable/);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('starts in dev mode with no configuration, answers /health and /ready, shuts down gracefully, and reuses its key', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    const started = Date.now();
    const first = serve(env);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/ready`)).ok, '/ready', 15_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'healthy', service: 'google-auth' });
    expect(first.output.stderr).toContain('DEV MODE');
    expect(statSync(join(dataDir, 'dev-encryption-key')).mode & 0o777).toBe(0o600);

    // A second process must not open the same embedded database.
    const second = await runCli(['migrate'], env);
    expect(second.code).toBe(69);
    expect(second.stderr).toMatch(/in use by process \d+/);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output.stdout + first.output.stderr).toContain('shutting down');

    const again = serve(env);
    await waitFor(async () => (await fetch(`${base}/ready`)).ok, '/ready after restart', 15_000);
    expect(again.output.stdout).toMatch(/using the dev encryption key kept in DATA_DIR/);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 60_000);

  it('SIGTERM with an idle client connected exits 0 promptly', async () => {
    const dataDir = tempDir();
    cpSync(inject('pgliteTemplate'), dataDir, { recursive: true }); // an existing database starts in a moment
    const port = await freePort();
    const server = serve({ DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, '/ready', 25_000);
    // A client that connected and never sent a request (a load balancer's spare connection).
    const idle = connect(port, '127.0.0.1').on('error', () => {});
    await new Promise((resolve) => idle.once('connect', resolve));
    const stopping = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0); // before: 1, after the full 10 s grace
    expect(performance.now() - stopping).toBeLessThan(5_000);
    idle.destroy();
  }, 40_000);

  it('a stale pid file naming a live, unrelated process does not block a start (the lock dies with its holder)', async () => {
    const dataDir = tempDir();
    const unrelated = spawn('sleep', ['60']);
    try {
      cpSync(inject('pgliteTemplate'), dataDir, { recursive: true }); // an existing database: no cluster creation
      writeFileSync(join(dataDir, 'pglite', 'seren-google-auth.pid'), String(unrelated.pid));
      const run = await runCli(['migrate'], { DATA_DIR: dataDir });
      expect(run.stderr).not.toMatch(/in use/);
      expect(run.code).toBe(0);

      // A live holder (this test process) still keeps every other process out.
      const unlock = await lockEmbeddedDirectory(join(dataDir, 'pglite'));
      try {
        const refused = await runCli(['migrate'], { DATA_DIR: dataDir });
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(`in use by process ${process.pid}`);
      } finally {
        unlock();
      }
    } finally {
      unrelated.kill('SIGKILL');
    }
  }, 30_000);

  it('migrate applies, then reports the database up to date', async () => {
    const env = { DATA_DIR: tempDir() };
    const first = await runCli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied 001_initial/);
    const second = await runCli(['migrate'], env);
    expect(second.stdout).toMatch(/up to date/);
  }, 30_000);
});
