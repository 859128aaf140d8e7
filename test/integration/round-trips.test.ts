import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALENDAR } from '../support/auth-flow.js';
import { GMAIL_SCOPES, connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchangeJson, newUser } from '../support/token-client.js';

/** Statements one exchange sends to the database, counted at the service's database seam. */
describe('database round trips per exchange', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ recordStatements: true });
  });
  afterAll(() => h?.close());

  /** Statements carrying this user's id, sent while `run` ran (background work has no user id). */
  async function statementsFor(serenUserId: string, run: () => Promise<unknown>) {
    const since = h.sent.length;
    await run();
    return h.sent.slice(since).filter((s) => s.params.includes(serenUserId)).map((s) => s.sql.trim().split(/\s+/)[0]);
  }

  const leaseOf = async (serenUserId: string) =>
    (await h.service.db.query<{ owner: string | null }>('SELECT refresh_lease_owner AS owner FROM user_google_tokens WHERE seren_user_id = $1', [serenUserId]))[0]!.owner;

  it('a cold exchange (no copy in memory, the stored token too old) costs two: the read that takes the lease, the save', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    h.clock.advance(3_600); // the stored token has expired; this instance's copy too
    h.google.resetCalls();
    let status = 0;
    const sent = await statementsFor(user.id, async () => ({ status } = await exchangeJson(h, user.key, 'gmail')));
    expect(status).toBe(200);
    expect(h.google.calls.token_refresh).toBe(1);
    expect(sent).toEqual(['WITH', 'UPDATE']);
    expect(await leaseOf(user.id)).toBeNull(); // the save released it
  });

  it('a stored token long enough costs one plain read: no lease, no row lock, no transaction id', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    h.clock.advance(3); // past this instance's 2 s trust in its copy, the token still young
    h.google.resetCalls();
    // Each call of txid_current() takes one id itself; a statement that locks or writes a row takes another.
    const xid = async () => Number((await h.service.db.query<{ x: string }>('SELECT txid_current()::text AS x'))[0]!.x);
    const before = await xid();
    const sent = await statementsFor(user.id, () => exchangeJson(h, user.key, 'gmail'));
    expect((await xid()) - before).toBe(1);
    expect(sent).toEqual(['WITH']);
    expect(h.google.calls.token_refresh).toBe(0);
    expect(await leaseOf(user.id)).toBeNull();
  });

  it('a grant without the scopes the publisher needs is not leased (insufficient_scope, no refresh)', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id); // Gmail's scopes only
    h.clock.advance(3_600);
    let status = 0;
    const sent = await statementsFor(user.id, async () => ({ status } = await exchangeJson(h, user.key, 'google-calendar')));
    expect(status).toBe(401); // google_insufficient_scope
    expect(sent[0]).toBe('WITH');
    expect(await leaseOf(user.id)).toBeNull();
  });

  it('concurrent cold exchanges for two publishers of one user: one refresh (a flight of ours is joined, not leased again)', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id, { scopes: [...GMAIL_SCOPES, ...CALENDAR] });
    h.clock.advance(3_600);
    h.google.resetCalls();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => exchangeJson(h, user.key, i % 2 ? 'gmail' : 'google-calendar')));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect(h.google.calls.token_refresh).toBe(1);
    expect(await leaseOf(user.id)).toBeNull();
  });

  it('an exchange answered from memory sends nothing', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    await exchangeJson(h, user.key, 'gmail');
    const sent = await statementsFor(user.id, () => exchangeJson(h, user.key, 'gmail'));
    expect(sent).toEqual([]);
  });
});
