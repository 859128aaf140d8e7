import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/** `publishers sync` never hands a remote Seren an exchange URL its gateway cannot call (SPEC §10). */
describe('publishers sync refusals', () => {
  // Never contacted: every refusal happens before the first request.
  const REMOTE_SEREN = 'https://seren.example.com';

  it('refuses the localhost default when PUBLIC_URL is unset, naming the variable to set', async () => {
    const run = await runCli(['publishers', 'sync', '--seren-api-url', REMOTE_SEREN], { SEREN_API_KEY: 'sk_admin' });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('PUBLIC_URL: the token_exchange_url built from it (http://localhost:8787/token/exchange?publisher=…) is not https://');
    expect(run.stderr).toContain('Set PUBLIC_URL to');
    expect(run.stdout).toBe('');
  });

  it('refuses a private host, --dry-run included', async () => {
    const run = await runCli(['publishers', 'sync', '--dry-run', '--seren-api-url', REMOTE_SEREN], { SEREN_API_KEY: 'sk_admin', PUBLIC_URL: 'https://10.0.0.5' });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('points at a loopback or private host');
  });

  it('refuses to send SEREN_API_KEY over plain HTTP to a remote host', async () => {
    const run = await runCli(['publishers', 'sync', '--seren-api-url', 'http://seren.example.com'], { SEREN_API_KEY: 'sk_admin', PUBLIC_URL: 'https://auth.example.com' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--seren-api-url must be https://');
  });
});
