import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { type RealBrowser, launchBrowser } from './browser.js';

/** Every word inside a `code` element that is split across two lines although it would fit on one. */
async function splitNames(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const split: string[] = [];
    for (const code of Array.from(document.querySelectorAll('code'))) {
      const lineWidth = (code.closest('.card, footer, li, p') ?? document.body).getBoundingClientRect().width;
      const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const m of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index!);
          range.setEnd(node, m.index! + m[0].length);
          const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (lines.size > 1 && range.getBoundingClientRect().width < lineWidth) split.push(m[0]);
        }
      }
    }
    return split;
  });
}

describe('pages in a real browser', () => {
  let h: Harness;
  let browser: RealBrowser;
  beforeAll(async () => {
    h = await startHarness();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });
  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });

  for (const [name, width] of [['desktop', 1280], ['a narrower window', 900], ['a phone', 375]] as const) {
    it(`keeps names in code whole on ${name}, and nothing overflows`, async () => {
      const page = await browser.newPage({ width, height: 900 });
      for (const path of ['/', '/privacy']) {
        await page.goto(`${h.url}${path}`);
        expect(await splitNames(page), `${path} at ${width}px`).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${path} overflows at ${width}px`).toBe(true);
      }
      await page.close();
    });
  }

  it('every page\'s footer leads to how to disconnect', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/auth/google/cancel`);
    await page.getByRole('link', { name: 'How to disconnect, and what this service keeps' }).click();
    await page.waitForURL(/\/privacy$/);
    expect(await page.locator('h2').allInnerTexts()).toEqual(['How to disconnect', 'What this service keeps']);
    await page.close();
  });
});
