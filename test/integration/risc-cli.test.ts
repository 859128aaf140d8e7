import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceAccountKey } from '../../src/emulator/index.js';
import { HANDLED_EVENT_URIS, PUSH_DELIVERY_METHOD, RISC_EVENTS } from '../../src/risc/event-types.js';
import { serviceAccountBearer } from '../../src/risc/service-account.js';
import { runCli } from '../support/cli.js';
import { TEST_CLIENT, type Harness, startHarness } from '../support/harness.js';
import { auditOf } from '../support/risc.js';

/** `risc register` and `risc verify` as an operator runs them, against the emulated Google and a running service. */
describe('risc commands', () => {
  let h: Harness;
  let dir: string;
  let adminKeyFile: string;
  beforeAll(async () => {
    h = await startHarness();
    dir = mkdtempSync(join(tmpdir(), 'sga-risc-cli-'));
    adminKeyFile = await keyFile('admin.json', await h.google.controls.createServiceAccount());
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function keyFile(name: string, key: ServiceAccountKey | string): Promise<string> {
    const path = join(dir, name);
    writeFileSync(path, typeof key === 'string' ? key : JSON.stringify(key));
    return path;
  }

  const risc = (args: string[], keyPath: string | null = adminKeyFile) =>
    runCli(['risc', ...args], {
      PUBLIC_URL: h.url,
      GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
      GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
      GOOGLE_ISSUER: h.google.issuer,
      ...(keyPath ? { RISC_SERVICE_ACCOUNT_FILE: keyPath } : {}),
    }, 60_000);

  it('register --dry-run shows the request and sends nothing', async () => {
    const run = await risc(['register', '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`POST ${h.google.issuer}/risc/v1beta/stream:update`);
    expect(run.stdout).toContain(`"url": "${h.url}/risc/events"`);
    expect(run.stdout).toContain('Dry run: nothing was sent.');
    expect(h.google.calls.risc_management).toBe(0);
    expect(h.google.controls.riscStream()).toBeUndefined();
  }, 90_000);

  it('register configures push delivery to $PUBLIC_URL/risc/events for every event type handled; verify sees the test event arrive', async () => {
    const registered = await risc(['register']);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toContain(`Google now pushes ${HANDLED_EVENT_URIS.length} event types to ${h.url}/risc/events`);
    expect(h.google.controls.riscStream()).toEqual({
      delivery: { delivery_method: PUSH_DELIVERY_METHOD, url: `${h.url}/risc/events` },
      events_requested: [...HANDLED_EVENT_URIS],
    });

    const verified = await risc(['verify', '--timeout', '30']);
    expect(verified.code, verified.stderr).toBe(0);
    const state = /state "([^"]+)"/.exec(verified.stdout)?.[1];
    expect(verified.stdout).toContain('Received and verified at');
    expect((await auditOf(h, 'risc.event_received')).map((a) => a.detail)).toContainEqual(expect.objectContaining({ event: 'verification', verification_state: state }));
  }, 120_000);

  it('verify says what to check when the event does not arrive in time, and exits 1', async () => {
    // A stream that does not ask for verification events: Google sends none.
    const key = JSON.parse(readFileSync(adminKeyFile, 'utf8')) as ServiceAccountKey;
    const bearer = await serviceAccountBearer({ clientEmail: key.client_email, privateKeyId: key.private_key_id, privateKey: key.private_key }, h.google.issuer, Date.now());
    const res = await fetch(`${h.google.issuer}/risc/v1beta/stream:update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ delivery: { delivery_method: PUSH_DELIVERY_METHOD, url: `${h.url}/risc/events` }, events_requested: [RISC_EVENTS['account-disabled'].uri] }),
    });
    expect(res.status).toBe(200);
    const run = await risc(['verify', '--timeout', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Not received within 2 s');
    expect(run.stderr).toContain('risc register');
  }, 90_000);

  it('explains a missing or unusable key file, and a service account without the role', async () => {
    const unset = await risc(['register'], null);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('RISC_SERVICE_ACCOUNT_FILE is not set');

    const notJson = await risc(['register'], await keyFile('bad.json', 'not json'));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('is not JSON');

    const noRole = await risc(['register'], await keyFile('plain.json', await h.google.controls.createServiceAccount({ riscAdmin: false })));
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('HTTP 403');
    expect(noRole.stderr).toContain('RISC Configuration Admin role');
    expect(noRole.stdout + noRole.stderr).not.toContain('PRIVATE KEY');
  }, 120_000);

  it('each explains itself with --help', async () => {
    for (const command of ['register', 'verify']) {
      const run = await risc([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`seren-google-auth risc ${command}`);
      expect(run.stdout).toContain('RISC_SERVICE_ACCOUNT_FILE');
    }
  }, 90_000);
});
