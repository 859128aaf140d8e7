import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { SerenStandIn } from '../support/seren.js';

const PUBLIC_URL = 'https://auth.example.com';

describe('publishers commands', () => {
  const seren = new SerenStandIn();
  beforeAll(async () => {
    await seren.start();
    seren.publishers.set('gmail', { name: 'Gmail', token_exchange_url: 'https://old.example.com/x', token_cache_ttl_seconds: 3000 });
    seren.publishers.set('google-calendar', { name: 'Google Calendar' });
  });
  afterAll(() => seren.close());

  const sync = (...args: string[]) =>
    runCli(['publishers', 'sync', '--seren-api-url', seren.base, ...args], { PUBLIC_URL, SEREN_API_KEY: seren.publisherAdminKey });

  it('show prints the SPEC §6 configuration built from PUBLIC_URL', async () => {
    const run = await runCli(['publishers', 'show'], { PUBLIC_URL });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      gmail: { token_exchange_url: `${PUBLIC_URL}/token/exchange?publisher=gmail`, token_exchange_method: 'POST', token_exchange_mode: 'header', token_cache_ttl_seconds: 3500 },
      'google-calendar': { token_exchange_url: `${PUBLIC_URL}/token/exchange?publisher=google-calendar`, token_exchange_method: 'POST', token_exchange_mode: 'header', token_cache_ttl_seconds: 3500 },
    });
    const one = await runCli(['publishers', 'show', '--publisher', 'gmail'], { PUBLIC_URL });
    expect(JSON.parse(one.stdout).token_exchange_url).toBe(`${PUBLIC_URL}/token/exchange?publisher=gmail`);
    expect((await runCli(['publishers', 'show', '--publisher', 'dropbox'])).stderr).toContain('unknown publisher "dropbox"');
  });

  it('sync --dry-run shows the per-field diff and changes nothing', async () => {
    const before = structuredClone(Object.fromEntries(seren.publishers));
    const run = await sync('--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('gmail: would update');
    expect(run.stdout).toContain(`token_exchange_url: "https://old.example.com/x" -> "${PUBLIC_URL}/token/exchange?publisher=gmail"`);
    expect(run.stdout).toContain('token_cache_ttl_seconds: 3000 -> 3500');
    expect(run.stdout).toContain('token_exchange_mode: (unset) -> "header"');
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    expect(seren.publisherRequests.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(Object.fromEntries(seren.publishers)).toEqual(before);
  });

  it('sync applies the configuration with the API key, then a second run reports no change', async () => {
    const run = await sync();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('gmail: updated');
    const puts = seren.publisherRequests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.slug)).toEqual(['gmail', 'google-calendar']);
    expect(puts[0]!.authorization).toBe(`Bearer ${seren.publisherAdminKey}`);
    expect(puts[0]!.body).toEqual({ token_exchange_url: `${PUBLIC_URL}/token/exchange?publisher=gmail`, token_exchange_method: 'POST', token_exchange_mode: 'header', token_cache_ttl_seconds: 3500 });
    expect(seren.publishers.get('gmail')!.name).toBe('Gmail');

    const again = await sync();
    expect(again.stdout).toMatch(/gmail: no change\ngoogle-calendar: no change/);
    expect(seren.publisherRequests.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });

  it('explains 401, 404 and 5xx and exits 1', async () => {
    const rejected = await runCli(['publishers', 'sync', '--seren-api-url', seren.base], { PUBLIC_URL, SEREN_API_KEY: 'wrong' });
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('Seren rejected SEREN_API_KEY');
    expect(rejected.stdout).not.toContain('wrong');

    seren.publishers.delete('google-calendar');
    const missing = await sync('--publisher', 'google-calendar');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('Seren has no publisher "google-calendar"');

    seren.publisherFailure = 503;
    const down = await sync('--publisher', 'gmail');
    seren.publisherFailure = undefined;
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('HTTP 503');
  });

  it('needs SEREN_API_KEY and --seren-api-url', async () => {
    expect((await runCli(['publishers', 'sync', '--seren-api-url', seren.base], { PUBLIC_URL })).stderr).toContain('SEREN_API_KEY is not set');
    expect((await runCli(['publishers', 'sync'], { SEREN_API_KEY: 'k' })).code).toBe(2);
  });
});
