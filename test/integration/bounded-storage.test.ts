import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECT_TOKENS_PER_USER } from '../../src/connect/connect-tokens.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchangeJson, newUser } from '../support/token-client.js';

/**
 * What the service keeps grows only as far as its users do (issue 11, findings 7 and 9):
 * connect tokens are reused and capped per user and purged on a schedule; audit events are
 * purged after AUDIT_RETENTION_DAYS.
 */
describe('bounded storage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: '1000000', AUDIT_RETENTION_DAYS: '30' } });
  });
  afterAll(() => h?.close());

  const count = async (sql: string, params: unknown[] = []) => (await h.service.db.query<{ n: number }>(sql, params))[0]!.n;
  const tokensOf = (serenUserId: string) => count('SELECT COUNT(*)::int AS n FROM connect_tokens WHERE seren_user_id = $1', [serenUserId]);

  it('connect_tokens stays bounded after 1,000 not-connected answers for one user, spread over 40 minutes', async () => {
    const user = newUser(h);
    const links = new Set<string>();
    let last = new Set<string>();
    for (let batch = 0; batch < 40; batch++) {
      const answers = await Promise.all(Array.from({ length: 25 }, () => exchangeJson(h, user.key, 'gmail')));
      last = new Set();
      for (const a of answers) {
        expect(a.status).toBe(401);
        expect(a.body.error).toBe('google_not_connected');
        links.add(a.body.authorization_url as string);
        last.add(a.body.authorization_url as string);
      }
      h.clock.advance(60);
    }
    expect(await tokensOf(user.id)).toBeLessThanOrEqual(MAX_CONNECT_TOKENS_PER_USER);
    // Repeated answers, concurrent ones included, hand out the same live link: a handful over 40 minutes.
    expect(last.size).toBe(1);
    expect(links.size).toBeLessThan(20);
    for (const link of last) expect((await fetch(link)).status).toBe(200); // and the link handed out works
  }, 120_000); // 1,000 requests: a few seconds, more on a loaded machine

  it('a repeated answer reuses the live link, with its true remaining lifetime', async () => {
    const user = newUser(h);
    const link = async () => (await fetch(`${h.url}/token/connect-link?publisher=gmail`, { method: 'POST', headers: { authorization: `Bearer ${user.key}` } })).json();
    const first = await link();
    expect(first.expires_in).toBe(h.config.connectTokenTtlSeconds);
    h.clock.advance(120);
    const again = await link();
    expect(again.authorization_url).toBe(first.authorization_url);
    expect(again.expires_in).toBeLessThanOrEqual(h.config.connectTokenTtlSeconds - 120);
    expect(again.expires_in).toBeGreaterThanOrEqual(h.config.connectTokenTtlSeconds / 2); // only reused while half its life is left
    // Past half its life, a fresh link is issued (the old one still works until it expires).
    h.clock.advance(h.config.connectTokenTtlSeconds / 2);
    const fresh = await link();
    expect(fresh.authorization_url).not.toBe(first.authorization_url);
    expect((await fetch(first.authorization_url)).status).toBe(200);
    // Another publisher's link is another link.
    const calendar = await (await fetch(`${h.url}/token/connect-link?publisher=google-calendar`, { method: 'POST', headers: { authorization: `Bearer ${user.key}` } })).json();
    expect(calendar.authorization_url).not.toBe(fresh.authorization_url);
  });

  it('a used link is never handed out again', async () => {
    const user = newUser(h);
    const { body } = await exchangeJson(h, user.key, 'gmail');
    const token = new URL(body.authorization_url as string).searchParams.get('seren_token')!;
    await h.service.db.query(`UPDATE connect_tokens SET consumed_at = NOW() WHERE seren_user_id = $1`, [user.id]);
    const { body: next } = await exchangeJson(h, user.key, 'gmail');
    expect(new URL(next.authorization_url as string).searchParams.get('seren_token')).not.toBe(token);
  });

  it('expired connect tokens are purged on the schedule, a day after they expired', async () => {
    const user = newUser(h);
    await exchangeJson(h, user.key, 'gmail');
    expect(await tokensOf(user.id)).toBe(1);
    h.clock.advance(h.config.connectTokenTtlSeconds + 3600);
    await h.service.app.maintenance.runDue();
    expect(await tokensOf(user.id)).toBe(1); // expired, but still says "expired" for a day
    h.clock.advance(86_400);
    await h.service.app.maintenance.runDue();
    expect(await tokensOf(user.id)).toBe(0);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/sga_maintenance_purged_rows_total\{task="connect_tokens"\} [1-9]/);
  });

  it('audit events older than AUDIT_RETENTION_DAYS are purged on the schedule', async () => {
    const daysAgo = (days: number) => new Date(h.clock.now() - days * 86_400_000);
    const insert = (event: string, at: Date) =>
      h.service.db.query(
        `INSERT INTO audit_events (event, seren_user_id, detail, created_at) VALUES ($1, 'u-audit', '{"google_email": "a@example.com"}', $2)`,
        [event, at],
      );
    await insert('grant.connected', daysAgo(31));
    await insert('grant.disconnected', daysAgo(29));
    const before = await count("SELECT COUNT(*)::int AS n FROM audit_events WHERE seren_user_id = 'u-audit'");
    expect(before).toBe(2);
    h.clock.advance(15 * 60); // one purge period
    await h.service.app.maintenance.runDue();
    const left = await h.service.db.query<{ event: string }>("SELECT event FROM audit_events WHERE seren_user_id = 'u-audit'");
    expect(left).toEqual([{ event: 'grant.disconnected' }]);
  });
});
