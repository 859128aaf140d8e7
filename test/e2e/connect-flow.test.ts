import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { type RealBrowser, launchBrowser } from './browser.js';

/**
 * A real Chromium walks the connect flow from a not-connected exchange's authorization_url,
 * asserting on what a person sees; any console error or CSP violation fails the test.
 */
describe('the connect flow in a real browser', () => {
  let h: Harness;
  let browser: RealBrowser;
  beforeAll(async () => {
    h = await startHarness({ emulator: { autoApprove: false } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });
  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });

  const exchange = (key: string, publisher = 'gmail') =>
    fetch(`${h.url}/token/exchange?publisher=${publisher}`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });

  /** A new Seren user whose first exchange fails with a link, as the agent would show it. */
  async function notConnectedUser(key: string, name: string) {
    h.seren.addUser(key, { name, email: `${name.toLowerCase().replace(/ /g, '.')}@seren.test` });
    const res = await exchange(key);
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error).toBe('google_not_connected');
    return body.authorization_url as string;
  }

  const grantCount = async () => (await h.service.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM user_google_tokens'))[0]!.n;
  const heading = (page: Page) => page.locator('h1').innerText();

  /** Continue on the confirm page (or any page's start-again button) and land at Google's consent page. */
  async function toGoogle(page: Page, button = 'Continue to Google') {
    await page.getByRole('button', { name: button }).click();
    await page.waitForURL(/\/o\/oauth2\/v2\/auth/);
  }

  /** Answer Google's consent page and land back on our callback. */
  async function answerGoogle(page: Page, button: 'Allow' | 'Cancel') {
    await page.getByRole('button', { name: button }).click();
    await page.waitForURL(/\/auth\/google\/callback/);
  }

  it('full consent: open the link, Continue, Allow: three actions to a success page and a working exchange', async () => {
    const link = await notConnectedUser('sk_e2e_full', 'Ada Lovelace');
    const page = await browser.newPage();
    let actions = 0;

    await page.goto(link);
    actions++;
    expect(await heading(page)).toBe('Connect your Google account');
    await expect.poll(() => page.getByText('Ada Lovelace').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Continue only if this is your own Seren account.').isVisible()).toBe(true);
    await browser.screenshot(page, '1-confirm');

    await page.getByRole('button', { name: 'Continue to Google' }).click();
    actions++;
    await page.waitForURL(/\/o\/oauth2\/v2\/auth/);
    await browser.screenshot(page, '2-google-consent');

    await page.getByRole('button', { name: 'Allow' }).click();
    actions++;
    await page.waitForURL(/\/auth\/google\/callback/);
    expect(await heading(page)).toBe('Google account connected');
    await expect.poll(() => page.getByText('user@example.com').first().isVisible()).toBe(true);
    await browser.screenshot(page, '3-success');

    expect(actions).toBe(3);
    const res = await exchange('sk_e2e_full');
    expect(res.status).toBe(200);
    expect((await res.json()).token_type).toBe('Bearer');
    await page.close();
  });

  it('partial consent: untick a scope, see what is missing, ask again, then success', async () => {
    const link = await notConnectedUser('sk_e2e_partial', 'Grace Hopper');
    const page = await browser.newPage();
    await page.goto(link);
    await toGoogle(page);
    // A Google account of its own: an account that granted everything before would get it all again (include_granted_scopes).
    await page.locator('input[name="email"]').fill('grace@example.com');
    await page.locator('input[value="https://www.googleapis.com/auth/gmail.send"]').uncheck();
    await answerGoogle(page, 'Allow');
    expect(await heading(page)).toBe('Some permissions were not granted');
    await browser.screenshot(page, '4-partial');
    expect((await exchange('sk_e2e_partial')).status).toBe(401);

    await toGoogle(page, 'Grant the missing permissions');
    await answerGoogle(page, 'Allow');
    expect(await heading(page)).toBe('Google account connected');
    expect((await exchange('sk_e2e_partial')).status).toBe(200);
    await page.close();
  });

  it('Cancel on the confirm page and Cancel at Google: friendly pages, nothing stored', async () => {
    const before = await grantCount();
    const link = await notConnectedUser('sk_e2e_cancel', 'Alan Turing');
    const page = await browser.newPage();
    await page.goto(link);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(/\/auth\/google\/cancel/);
    expect(await heading(page)).toBe('Nothing was connected');
    await browser.screenshot(page, '5-cancelled');

    // The link was not consumed by opening or cancelling: the user may still go on, and deny at Google.
    await page.goto(link);
    await toGoogle(page);
    await answerGoogle(page, 'Cancel');
    expect(await heading(page)).toBe('Nothing was connected');
    await browser.screenshot(page, '6-denied');
    expect(await grantCount()).toBe(before);
    expect((await exchange('sk_e2e_cancel')).status).toBe(401);
    await page.close();
  });

  it('the success page is fully readable on a phone', async () => {
    const link = await notConnectedUser('sk_e2e_phone', 'Katherine Johnson');
    const page = await browser.newPage({ width: 375, height: 667 });
    await page.goto(link);
    await toGoogle(page);
    await answerGoogle(page, 'Allow');
    expect(await heading(page)).toBe('Google account connected');
    await browser.screenshot(page, '7-success-phone');
    // Nothing scrolls sideways, and every piece of text lies within the screen's width.
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const outside = [...document.querySelectorAll('body *')]
        .filter((el) => el.children.length === 0 && (el.textContent ?? '').trim() !== '')
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.left < 0 || r.right > width + 0.5;
        })
        .map((el) => el.textContent);
      return { scrollWidth: document.documentElement.scrollWidth, width, outside };
    });
    expect(overflow.outside).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.width);
    await page.close();
  });
});
