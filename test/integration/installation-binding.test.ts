import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirm } from '../../src/cli/confirm.js';
import { generateKeySpec } from '../../src/crypto/keyring.js';
import { GoogleEmulator } from '../../src/emulator/index.js';
import { BindingMismatchError, EMULATED_GOOGLE_ISSUER } from '../../src/installation/binding.js';
import { runCli } from '../support/cli.js';
import { connectGoogle } from '../support/connect.js';
import { type TestStorage, freshStorage } from '../support/database.js';
import { type Harness, TEST_CLIENT, freePort, startHarness } from '../support/harness.js';
import { SerenStandIn } from '../support/seren.js';
import { exchangeJson, newUser } from '../support/token-client.js';

const KEYS = generateKeySpec('bind1');
const OTHER_CLIENT = { GOOGLE_CLIENT_ID: 'another-client.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'another-secret' };

/**
 * The installation binding (SPEC §2): a database's grants belong to one Google issuer and client.
 * The defence against a dev-mode (or mis-configured) instance pointed at a production database:
 * such a start is refused, and not one grant changes.
 */
describe('installation binding', () => {
  let storage: TestStorage;
  let google: GoogleEmulator;
  let otherGoogle: GoogleEmulator;
  let seren: SerenStandIn;
  let connected: { key: string; id: string };
  let disconnected: { key: string; id: string };

  const instance = (env: Record<string, string> = {}, g: GoogleEmulator = google) =>
    startHarness({ storage, google: g, seren, env: { TOKEN_ENCRYPTION_KEYS: KEYS, ...env } });

  /** Every stored grant and pending revocation, byte for byte. */
  const snapshot = async () => {
    const db = await storage.open();
    try {
      return {
        grants: await db.query('SELECT * FROM user_google_tokens ORDER BY seren_user_id'),
        pending: await db.query('SELECT * FROM pending_revocations ORDER BY seren_user_id'),
      };
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    google = new GoogleEmulator({ autoApprove: true, clients: [{ ...TEST_CLIENT }] });
    otherGoogle = new GoogleEmulator({ autoApprove: true, clients: [{ ...TEST_CLIENT }] });
    seren = new SerenStandIn();
    await Promise.all([google.start(), otherGoogle.start(), seren.start()]);
    storage = await freshStorage();

    // The production instance: one connected user, one disconnect whose revocation is pending.
    const h = await instance();
    try {
      connected = newUser(h);
      await connectGoogle(h, connected.id, { email: 'kept@example.com' });
      disconnected = newUser(h);
      await connectGoogle(h, disconnected.id, { email: 'left@example.com' });
      google.controls.failNext('revoke', { status: 503 }, Infinity);
      const revoked = await fetch(`${h.url}/token/revoke`, { method: 'DELETE', headers: { authorization: `Bearer ${disconnected.key}` } });
      expect((await revoked.json()).google_revocation).toBe('pending');
      google.controls.clearFailures();
    } finally {
      await h.service.close();
    }
  }, 120_000); // two emulators, a start and two connections: room for a loaded machine
  afterAll(async () => {
    await Promise.all([google?.close(), otherGoogle?.close(), seren?.close()]);
    await storage?.cleanup();
  });

  it('refuses a start with another client id, naming both and the re-bind command; no grant changes', async () => {
    const before = await snapshot();
    google.resetCalls();
    const start = instance(OTHER_CLIENT);
    await expect(start).rejects.toThrow(BindingMismatchError);
    const message = await start.catch((err: Error) => err.message);
    expect(message).toContain(`client id ${TEST_CLIENT.clientId}`);
    expect(message).toContain(`client id ${OTHER_CLIENT.GOOGLE_CLIENT_ID}`);
    expect(message).toContain('seren-google-auth installation rebind');
    expect(await snapshot()).toEqual(before);
    expect(google.calls.token + google.calls.revoke).toBe(0);
  });

  it('refuses a start with another issuer; no grant changes', async () => {
    const before = await snapshot();
    const message = await instance({ GOOGLE_ISSUER: otherGoogle.issuer }, otherGoogle).catch((err: Error) => err.message);
    expect(message).toContain(`issuer ${google.issuer}`);
    expect(message).toContain(`issuer ${otherGoogle.issuer}`);
    expect(await snapshot()).toEqual(before);
    expect(otherGoogle.calls.token + otherGoogle.calls.revoke).toBe(0);
  });

  it('refuses dev mode pointed at the database (the emulated Google is an issuer of its own), through the real command', async () => {
    const before = await snapshot();
    const run = await runCli(['serve'], { ...storage.env, TOKEN_ENCRYPTION_KEYS: KEYS, PORT: String(await freePort()) }, 60_000);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain(`issuer ${EMULATED_GOOGLE_ISSUER} (dev mode's emulated Google), client id dev-client-id`);
    expect(run.stderr).toContain(`issuer ${google.issuer}, client id ${TEST_CLIENT.clientId}`);
    expect(run.stderr).toContain('seren-google-auth installation rebind');
    expect(await snapshot()).toEqual(before);
  }, 90_000);

  it('the matching client still starts and serves its grants', async () => {
    const h = await instance();
    try {
      expect((await exchangeJson(h, connected.key, 'gmail')).status).toBe(200);
    } finally {
      await h.service.close();
    }
  });

  it('re-binding needs confirmation: without a terminal and without --yes nothing changes', async () => {
    const before = await snapshot();
    const run = await runCli(['installation', 'rebind'], { ...storage.env, TOKEN_ENCRYPTION_KEYS: KEYS, ...OTHER_CLIENT, GOOGLE_ISSUER: google.issuer }, 60_000);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/1 active grant\(s\) will be marked reauthorization_required/);
    expect(run.stdout).toMatch(/1 pending revocation\(s\) will be dropped/);
    expect(run.stderr).toMatch(/Re-run with --yes/);
    expect(await snapshot()).toEqual(before);
  }, 90_000);

  it('re-binding with --yes marks the grants reauthorization_required and drops pending revocations; then only the new client starts', async () => {
    const run = await runCli(['installation', 'rebind', '--yes'], { ...storage.env, TOKEN_ENCRYPTION_KEYS: KEYS, ...OTHER_CLIENT, GOOGLE_ISSUER: google.issuer }, 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1 grant\(s\) marked reauthorization_required, 1 pending revocation\(s\) dropped/);
    const after = await snapshot();
    expect(after.grants).toEqual([expect.objectContaining({ seren_user_id: connected.id, status: 'reauthorization_required', access_token_encrypted: null })]);
    expect(after.pending).toEqual([]);

    await expect(instance()).rejects.toThrow(BindingMismatchError); // the old client, now
    const h = await instance(OTHER_CLIENT);
    try {
      const answer = await exchangeJson(h, connected.key, 'gmail');
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: 'google_reauthorization_required', authorization_url: expect.stringContaining('/auth/google?seren_token=') });
    } finally {
      await h.service.close();
    }
  }, 120_000);

  it('a database without grants simply takes the new binding', async () => {
    const empty = await freshStorage();
    try {
      const first = await startHarness({ storage: empty, google, seren });
      await first.service.close();
      const second = await startHarness({ storage: empty, google, seren, env: OTHER_CLIENT });
      await second.service.close();
    } finally {
      await empty.cleanup();
    }
  });
});

describe('the re-bind confirmation', () => {
  const terminal = (answer: string) => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    input.end(`${answer}\n`);
    return { input, output };
  };

  it('goes ahead only on "yes" typed at a terminal', async () => {
    expect(await confirm('Re-bind now?', terminal('yes'))).toBe(true);
    expect(await confirm('Re-bind now?', terminal('YES '))).toBe(true);
    expect(await confirm('Re-bind now?', terminal('y'))).toBe(false);
    expect(await confirm('Re-bind now?', terminal(''))).toBe(false);
    expect(await confirm('Re-bind now?', { input: new PassThrough(), output: new PassThrough() })).toBe('no_terminal');
  });
});
