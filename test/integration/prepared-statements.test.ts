import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGoogle } from '../support/connect.js';
import { onPostgresServer } from '../support/database.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchangeJson, newUser } from '../support/token-client.js';

/** The hot statements are named prepared statements: a plan another instance's migration outdated must not fail requests. */
describe.runIf(onPostgresServer())('named prepared statements', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('a migration that changes a returned column type: the next exchanges still answer (retried unnamed, connection replaced)', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    h.clock.advance(3); // past the memory copy: the exchange reads the database (and prepares its statement)
    expect((await exchangeJson(h, user.key, 'gmail')).status).toBe(200);

    // What a rolling upgrade's migration may do while this instance serves.
    await h.service.db.query('ALTER TABLE user_google_tokens ALTER COLUMN google_sub TYPE varchar(512)');
    for (let i = 0; i < 5; i++) {
      h.clock.advance(3);
      const { status, body } = await exchangeJson(h, user.key, 'gmail');
      expect(status, JSON.stringify(body)).toBe(200);
    }
  });
});
