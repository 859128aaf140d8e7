import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeySpec } from '../../src/crypto/keyring.js';
import { GoogleEmulator } from '../../src/emulator/index.js';
import { connectGoogle } from '../support/connect.js';
import { type TestStorage, freshStorage } from '../support/database.js';
import { type Harness, TEST_CLIENT, startHarness } from '../support/harness.js';
import { SerenStandIn } from '../support/seren.js';
import { exchangeJson, logLines, newUser } from '../support/token-client.js';

/**
 * Issue 11, finding 8: a grant that cannot be decrypted (its key removed from
 * TOKEN_ENCRYPTION_KEYS, or a damaged row) is no dead end: 401 google_reauthorization_required
 * with a link, the row unchanged, an error log line naming the key id, a metric; restoring the
 * key (or the row) heals it.
 */
describe('an undecryptable grant', () => {
  const OLD = generateKeySpec('old1');
  const NEW = generateKeySpec('new1');
  let storage: TestStorage;
  const google = new GoogleEmulator({ autoApprove: true, clients: [{ ...TEST_CLIENT }] });
  const seren = new SerenStandIn();
  const running: Harness[] = [];
  const withKeys = async (keys: string) => {
    const h = await startHarness({ storage, google, seren, env: { TOKEN_ENCRYPTION_KEYS: keys } });
    running.push(h);
    return h;
  };
  beforeAll(async () => {
    storage = await freshStorage();
    await google.start();
    await seren.start();
  });
  afterAll(async () => {
    for (const h of running) await h.close().catch(() => {});
    await google.close();
    await seren.close();
    await storage?.cleanup();
  });

  const rowOf = async (h: Harness, serenUserId: string) =>
    (await h.service.db.query('SELECT * FROM user_google_tokens WHERE seren_user_id = $1', [serenUserId]))[0];
  const expectReconnectLink = (answer: { status: number; body: Record<string, unknown> }) => {
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('google_reauthorization_required');
    expect(answer.body.authorization_url).toMatch(/\/auth\/google\?seren_token=sct_/);
    expect(answer.body.message).toContain(answer.body.authorization_url as string);
  };

  it('sealed under a key that was removed: 401 with a link, row unchanged, logged with the key id, counted; restoring the key heals it', async () => {
    const before = await withKeys(OLD);
    const user = newUser(before);
    await connectGoogle(before, user.id, { email: `${user.id}@example.com` });
    expect((await exchangeJson(before, user.key, 'gmail')).status).toBe(200);
    await before.close();

    const withoutKey = await withKeys(NEW); // old1 removed too early
    const stored = await rowOf(withoutKey, user.id);
    for (let i = 0; i < 2; i++) expectReconnectLink(await exchangeJson(withoutKey, user.key, 'gmail'));
    expect(await rowOf(withoutKey, user.id)).toEqual(stored); // not marked, not touched
    const errors = logLines(withoutKey).filter((l) => l.level === 50);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatchObject({ kid: 'old1', seren_user_id: user.id });
    expect(errors[0]!.msg).toContain('TOKEN_ENCRYPTION_KEYS');
    const metrics = await (await fetch(`${withoutKey.url}/metrics`)).text();
    expect(metrics).toContain('sga_grant_decrypt_failures_total{kid="old1"} 2');
    await withoutKey.close();

    const restored = await withKeys(`${NEW},${OLD}`);
    const healed = await exchangeJson(restored, user.key, 'gmail');
    expect(healed.status).toBe(200);
    expect(google.controls.accessTokenInfo(healed.body.access_token as string)?.email).toBe(`${user.id}@example.com`);
  }, 120_000); // three starts of the service on one database

  it('a damaged row: 401 with a link and the row left alone; the repaired row works again', async () => {
    const h = running.at(-1)!;
    const user = newUser(h);
    await connectGoogle(h, user.id, { email: `${user.id}@example.com` });
    const { refresh_token_encrypted: sealed } = (await rowOf(h, user.id)) as { refresh_token_encrypted: string };
    const damaged = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    // No cached access token, so the exchange needs the refresh token.
    await h.service.db.query(
      'UPDATE user_google_tokens SET refresh_token_encrypted = $2, access_token_encrypted = NULL, access_token_expires_at = NULL WHERE seren_user_id = $1',
      [user.id, damaged],
    );
    const stored = await rowOf(h, user.id);
    expectReconnectLink(await exchangeJson(h, user.key));
    expect(await rowOf(h, user.id)).toEqual(stored);
    expect(logLines(h).some((l) => l.level === 50 && l.seren_user_id === user.id && l.kid === 'new1')).toBe(true);

    await h.service.db.query('UPDATE user_google_tokens SET refresh_token_encrypted = $2 WHERE seren_user_id = $1', [user.id, sealed]);
    expect((await exchangeJson(h, user.key)).status).toBe(200);
  });
});
