import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('seren-google-auth demo', () => {
  it('tells the whole story with no set-up and exits 0, in plain text when not on a terminal', async () => {
    const run = await runCli(['demo'], {}, 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const steps = [
      '← HTTP 401 google_not_connected',
      '“Google account not connected. Authorize at: http://127.0.0.1:',
      '← 200 “Connect your Google account”',
      '← 303 to Google /_google/o/oauth2/v2/auth',
      '← 200 “Google account connected”',
      'POST /token/exchange?publisher=gmail  ← 200 access token',
      '"emailAddress":"demo.user@gmail.com"',
      'Google → POST /risc/events  (a signed account-disabled event, reason hijacking)  ← 202',
      '← HTTP 401 google_reauthorization_required',
      '“Google access was revoked or has expired; reconnect your Google account. Authorize at:',
      'Google was not even asked',
      'The story is complete.',
    ];
    let at = 0;
    for (const step of steps) {
      const found = run.stdout.indexOf(step, at);
      expect(found, `"${step}" after position ${at} of:\n${run.stdout}`).toBeGreaterThan(-1);
      at = found;
    }
    expect(run.stdout).not.toMatch(/\x1b\[/);
  }, 70_000);
});
