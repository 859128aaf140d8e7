import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/harness.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sga-settings-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** What each command asks of the environment (SPEC §2, §10), through the real executable. */
describe('settings, command by command', () => {
  // Every odd value is refused by parseConfig (test/unit/config.test.ts); here, through the real command.
  it.each(['Production'])('NODE_ENV=%j is refused before anything starts (no silent dev mode)', async (value) => {
    const run = await runCli(['serve'], { NODE_ENV: value, DATA_DIR: tempDir(), PORT: String(await freePort()) });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain(`NODE_ENV: must be exactly "production", "development" or "test", or unset (got ${JSON.stringify(value)})`);
    expect(run.stderr).not.toContain('DEV MODE');
  });

  it('publishers show needs no secret in production', async () => {
    const run = await runCli(['publishers', 'show', '--publisher', 'gmail'], { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).token_exchange_url).toBe('https://auth.example.com/token/exchange?publisher=gmail');
  });

  it('migrate in production asks for DATABASE_URL and nothing else', async () => {
    const run = await runCli(['migrate'], { NODE_ENV: 'production' });
    expect(run.code).toBe(78);
    expect(run.stderr.trim().split('\n').slice(1)).toEqual([expect.stringMatching(/^ {2}- DATABASE_URL: required in production/)]);
  });

  it('PORT alone gives a working dev instance: links, redirect URI and the emulated Google follow it', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    cpSync(inject('pgliteTemplate'), dataDir, { recursive: true }); // an embedded database made once per run
    const env = { DATA_DIR: dataDir, PORT: String(port) };
    const shown = await runCli(['publishers', 'show', '--publisher', 'gmail'], env);
    expect(JSON.parse(shown.stdout).token_exchange_url).toBe(`http://localhost:${port}/token/exchange?publisher=gmail`);

    const served = startCli(['serve'], env);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, '/ready', 45_000);
      expect(served.output.stderr).toContain(`public URL http://localhost:${port}`);
      const link = await fetch(`http://127.0.0.1:${port}/token/connect-link?publisher=gmail`, { method: 'POST', headers: { authorization: 'Bearer seren_dev_port' } });
      expect((await link.json()).authorization_url).toMatch(new RegExp(`^http://localhost:${port}/auth/google\\?seren_token=`));
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
    }
    expect(served.output.stdout + served.output.stderr).not.toMatch(/discovery .* failed/);
  }, 90_000);
});
