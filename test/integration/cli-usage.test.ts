import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseKeySpecs } from '../../src/crypto/keyring.js';
import { runCli } from '../support/cli.js';

/** Runs the real CLI entry in this process, capturing what it prints. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await main(argv, { PUBLIC_URL: 'https://auth.example.com', SEREN_API_KEY: 'seren_admin_key' });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('the command line, as a person types it', () => {
  afterEach(() => vi.restoreAllMocks());

  it('<group> --help lists the group\'s commands, for every group', async () => {
    const top = await cli('--help');
    const groups = [...new Set([...top.stdout.matchAll(/^ {2}([a-z-]+) [a-z-]+ {2,}/gm)].map((m) => m[1]!))];
    expect(groups).toEqual(expect.arrayContaining(['keys', 'publishers']));
    for (const group of groups) {
      const run = await cli(group, '--help');
      expect(run.code, group).toBe(0);
      expect(run.stdout).toContain(`Usage: seren-google-auth ${group} <command>`);
      const members = [...top.stdout.matchAll(new RegExp(`^ {2}(${group} [a-z-]+)`, 'gm'))].map((m) => m[1]!);
      for (const member of members) expect(run.stdout).toContain(member);
    }
  });

  it('a group without a command says which commands there are, and exits 2', async () => {
    const run = await cli('keys');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('keys generate');
    expect(run.stderr).toContain('keys rotate');
    const unknown = await cli('keys', 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: keys frobnicate');
    expect(unknown.stderr).toContain('keys rotate');
  });

  it('--version prints the package version (also from the installed executable)', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect((await cli('--version')).stdout).toBe(`seren-google-auth ${version}`);
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`seren-google-auth ${version}`);
  });

  it('says what is wrong with a flag value instead of calling it missing', async () => {
    const bad = await cli('publishers', 'sync', '--seren-api-url', 'notaurl');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--seren-api-url: must be an http(s) URL');
    expect(bad.stderr).toContain('"notaurl"');
    expect(bad.stderr).not.toContain('required');
    const missing = await cli('publishers', 'sync');
    expect(missing.stderr).toContain('--seren-api-url is required');
  });

  it('names unknown options, missing values and stray arguments in its own words', async () => {
    const unknown = await cli('keys', 'generate', '--kdi', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^seren-google-auth keys generate: unknown option --kdi; this command takes --kid <value>/);
    const noValue = await cli('keys', 'generate', '--kid');
    expect(noValue.stderr).toMatch(/--kid needs a value/);
    const stray = await cli('publishers', 'show', 'gmail');
    expect(stray.stderr).toMatch(/unexpected argument "gmail"/);
    const badKid = await cli('keys', 'generate', '--kid', 'no spaces');
    expect(badKid.code).toBe(2);
    expect(badKid.stderr).toContain('--kid: use 1 to 32 letters');
  });

  it('keys generate twice on one day gives two different key ids by default', async () => {
    const kids = [];
    for (let i = 0; i < 2; i++) {
      const run = await cli('keys', 'generate');
      expect(run.code).toBe(0);
      kids.push(parseKeySpecs(run.stdout.trim())[0]!.kid);
    }
    for (const kid of kids) expect(kid).toMatch(/^k\d{8}-[0-9a-f]{8}$/);
    expect(kids[0]).not.toBe(kids[1]);
  });
});
