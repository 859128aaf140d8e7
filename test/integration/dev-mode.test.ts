import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { DEV_KEY_FILE } from '../../src/crypto/dev-key.js';
import { createLogger } from '../../src/log/logger.js';
import { type RunningService, startService } from '../../src/runtime.js';
import { freePort, waitFor } from '../support/harness.js';

/** Issue 11, finding 10: what dev mode leaves open on the machine it runs on. */
describe('dev mode hardening', () => {
  let parent: string;
  let dataDir: string;
  let service: RunningService;
  let previousUmask: number | undefined;

  beforeAll(async () => {
    // The usual umask, which leaves new directories world-readable unless asked otherwise.
    try {
      previousUmask = process.umask(0o022);
    } catch {
      previousUmask = undefined; // not settable here (worker thread): the system's umask applies
    }
    parent = mkdtempSync(join(tmpdir(), 'sga-dev-'));
    dataDir = join(parent, 'data');
    const port = await freePort();
    const config = parseConfig({ DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    service = await startService(config, { logger: createLogger('silent') });
    await waitFor(async () => (await fetch(`${service.url}/ready`)).ok, 'dev service /ready', 60_000);
  }, 120_000); // a fresh embedded database: about 4 s, much more on a loaded machine
  afterAll(async () => {
    await service?.close();
    if (previousUmask !== undefined) process.umask(previousUmask);
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates DATA_DIR, the embedded database directory and the dev key owner-only', () => {
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(dataDir).toString(8)).toBe('700');
    expect(mode(join(dataDir, 'pglite')).toString(8)).toBe('700');
    expect(mode(join(dataDir, DEV_KEY_FILE)).toString(8)).toBe('600');
  });

  const authorize = async (redirectUri: string) => {
    const url = new URL(`${service.url}/_google/o/oauth2/v2/auth`);
    url.search = new URLSearchParams({
      client_id: 'dev-client-id', redirect_uri: redirectUri, response_type: 'code', scope: 'openid email',
      state: oidc.randomState(), code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }).toString();
    return fetch(url, { redirect: 'manual' });
  };

  it('the emulated Google refuses a foreign redirect_uri with an error page, never a redirect', async () => {
    for (const foreign of ['https://attacker.example/callback', `${service.url}/auth/google/callback/../../elsewhere`, `${service.url}/somewhere`]) {
      const res = await authorize(foreign);
      expect(res.status, foreign).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('redirect_uri_mismatch');
    }
    // Without a redirect URI it cannot trust, an error (here: no scope) is also a page, not a redirect.
    const res = await fetch(`${service.url}/_google/o/oauth2/v2/auth?client_id=dev-client-id&redirect_uri=${encodeURIComponent('https://attacker.example/cb')}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('accepts the registered redirect URI ($PUBLIC_URL/auth/google/callback)', async () => {
    const res = await authorize(`${service.url}/auth/google/callback`);
    expect(res.status).toBe(200); // the consent page
    expect(await res.text()).toContain('<form');
  });
});
