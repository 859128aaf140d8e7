import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, generateKeySpec, parseKeySpecs } from '../../src/crypto/keyring.js';
import { rotateKeys } from '../../src/crypto/rotate.js';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { exchange, newUser } from '../support/token-client.js';

const OLD_KEY = generateKeySpec('old');
const NEW_KEY = generateKeySpec('new');
const USERS = 20;

/**
 * `keys rotate` while Google rotates refresh tokens: the save after a refresh must recognise the
 * refresh token it used even when rotation re-sealed it meanwhile (before: the save was refused,
 * the rotated token dropped, and the next refresh used a revoked one → reauthorization).
 */
describe('key rotation during a refresh burst, with refresh-token rotation on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { TOKEN_ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}` }, logLevel: 'info' });
  });
  afterAll(() => h?.close());

  it('loses no grant', { timeout: 45_000 }, async () => {
    // Grants stored before the new key was deployed: sealed under the old one.
    const oldOnly = { ...h.config, encryptionKeys: parseKeySpecs(OLD_KEY) };
    const users = Array.from({ length: USERS }, () => newUser(h));
    for (const u of users) await connectGoogle({ url: h.url, google: h.google, config: oldOnly, db: h.service.db, now: h.clock.now }, u.id, { email: `${u.id}@example.com` });

    h.google.controls.rotateRefreshTokens(true);
    h.google.controls.failNext('token', { delayMs: 3_000 }, USERS); // every refresh in flight while keys rotate
    h.clock.advance(3600);
    const burst = Promise.all(users.map((u) => exchange(h, u.key, 'gmail')));
    await waitFor(() => h.google.calls.token_refresh >= USERS, 'every refresh in flight', 15_000);
    await rotateKeys(h.service.db, new Keyring(parseKeySpecs(`${NEW_KEY},${OLD_KEY}`)));
    // Refresh tokens re-sealed under the feet of refreshes that have not saved yet (all of them on an idle machine).
    const raced = await h.service.db.query(`SELECT 1 FROM user_google_tokens WHERE refresh_token_encrypted LIKE 'v1.new.%' AND last_refreshed_at IS NULL`);
    expect(raced.length).toBeGreaterThan(0);
    // A token, or (on a loaded machine, rotation and refreshes queueing on one embedded database) 503 once
    // the exchange deadline passed: the refreshes go on and store what they get either way.
    for (const outcome of await outcomes(await burst)) expect(['200', '503 google_unavailable']).toContain(outcome);

    // Every grant still refreshes: the rotated refresh tokens were stored.
    h.clock.advance(3600);
    const later = await Promise.all(users.map((u) => exchange(h, u.key, 'gmail')));
    expect(await outcomes(later)).toEqual(Array(USERS).fill('200'));
    const lost = await h.service.db.query(`SELECT 1 FROM user_google_tokens WHERE status <> 'active'`);
    expect(lost).toHaveLength(0);
  });
});

/** Each answer as its status, and its error code when it failed. */
const outcomes = (answers: Response[]) =>
  Promise.all(answers.map(async (r) => (r.ok ? String(r.status) : `${r.status} ${((await r.json()) as { error: string }).error}`)));
