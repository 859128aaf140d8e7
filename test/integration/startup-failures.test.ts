import { cpSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { lockEmbeddedDirectory } from '../../src/db/embedded-lock.js';
import { runCli } from '../support/cli.js';
import { type TestStorage, freshStorage, onPostgresServer } from '../support/database.js';
import { freePort } from '../support/harness.js';

const KEYS = `k:${Buffer.alloc(32, 7).toString('base64')}`;
const STACK_LINE = /^\s+at /m;

/** Runs the real CLI entry in this process, capturing stderr. */
async function cli(argv: string[], env: Record<string, string>) {
  const err: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    return { code: await main(argv, { LOG_LEVEL: 'silent', TOKEN_ENCRYPTION_KEYS: KEYS, ...env }), stderr: err.join('\n') };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

describe('a start that fails says why in one sentence, with a documented exit code', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await freshStorage();
  });
  afterAll(() => storage?.cleanup());

  it('a database that does not answer: DATABASE_URL named, 69, no stack', async () => {
    const port = await freePort();
    const run = await cli(['migrate'], { DATABASE_URL: `postgres://u:hunter2@127.0.0.1:${port}/db` });
    expect(run.code).toBe(69);
    expect(run.stderr).toMatch(new RegExp(`^seren-google-auth migrate: DATABASE_URL: PostgreSQL at 127\\.0\\.0\\.1:${port}/db is unreachable: connect ECONNREFUSED`));
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('the stack only with LOG_LEVEL=debug', async () => {
    const port = await freePort();
    const run = await cli(['migrate'], { DATABASE_URL: `postgres://u@127.0.0.1:${port}/db`, LOG_LEVEL: 'debug' });
    expect(run.code).toBe(69);
    expect(run.stderr).toMatch(STACK_LINE);
  });

  it.runIf(onPostgresServer())('a database that does not exist is told apart from one that does not answer: 78', async () => {
    const server = new URL(process.env.DATABASE_URL!);
    server.pathname = '/no_such_database_sga';
    const run = await cli(['migrate'], { DATABASE_URL: server.href });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('database "no_such_database_sga" does not exist');
    expect(run.stderr).toContain('create it');
    expect(run.stderr).not.toContain('unreachable');
  });

  it('a port in use names PORT: 69', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await cli(['serve'], { ...storage.env, PORT: String(port), HOST: '127.0.0.1' });
      expect(run.code).toBe(69);
      expect(run.stderr).toBe(`seren-google-auth serve: PORT: 127.0.0.1:${port} is already in use by another process; stop it, or set PORT (or HOST) to a free address.`);
    } finally {
      taken.close();
    }
  });

  it('a port in use, as a process with the default LOG_LEVEL: 69, the sentence alone on stderr, no stack on either stream', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'sga-port-'));
    cpSync(inject('pgliteTemplate'), dataDir, { recursive: true }); // an existing database: no cluster creation
    try {
      const run = await runCli(['serve'], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', TOKEN_ENCRYPTION_KEYS: KEYS });
      expect(run.code).toBe(69); // README, exit codes: PORT already in use
      expect(run.stderr).toBe(`seren-google-auth serve: PORT: 127.0.0.1:${port} is already in use by another process; stop it, or set PORT (or HOST) to a free address.\n`);
      // The log lines written before the failure (stdout, JSON) carry no stack either.
      expect(run.stdout).toContain('"level"');
      for (const output of [run.stdout, run.stderr]) {
        expect(output).not.toContain('"stack"');
        expect(output).not.toMatch(STACK_LINE);
      }
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a HOST that does not resolve names HOST, not just getaddrinfo: 78', async () => {
    const run = await cli(['serve'], { ...storage.env, PORT: String(await freePort()), HOST: 'no-such-host.invalid' });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/^seren-google-auth serve: HOST: "no-such-host\.invalid" does not resolve to an address of this machine/);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('an embedded database held by another process names DATA_DIR: 69', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sga-held-'));
    mkdirSync(join(dataDir, 'pglite'));
    const unlock = await lockEmbeddedDirectory(join(dataDir, 'pglite'));
    try {
      const run = await runCli(['migrate'], { DATA_DIR: dataDir, TOKEN_ENCRYPTION_KEYS: KEYS });
      expect(run.code).toBe(69);
      expect(run.stderr.trim()).toMatch(/^seren-google-auth migrate: DATA_DIR: the embedded database in .* is in use by process \d+/);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    } finally {
      unlock();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
