import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landingPage } from '../../src/pages/landing.js';
import { callbackRejectedPage, googleFailedPage, linkProblemPage } from '../../src/pages/problems.js';
import { type Harness, startHarness } from '../support/harness.js';

describe('the end-user page: how to disconnect, what is kept', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { AUDIT_RETENTION_DAYS: '30', CONNECT_TOKEN_TTL_SECONDS: '600' } });
  });
  afterAll(() => h?.close());

  it('is served as a page, with this instance\'s retention and link lifetime', async () => {
    const res = await fetch(`${h.url}/privacy`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await res.text();
    expect(text).toContain('<h2>How to disconnect</h2>');
    expect(text).toContain('Ask your agent to disconnect your Google account');
    expect(text).toContain('https://myaccount.google.com/connections');
    expect(text).toContain('<h2>What this service keeps</h2>');
    expect(text).toContain('deleted after 30 days');
    expect(text).toContain('expires after 10 minutes');
  });

  it('is what every page\'s footer links to, instead of "you can disconnect at any time" without a how', async () => {
    for (const path of ['/', '/auth/google/cancel', '/auth/google?seren_token=x']) {
      const body = await (await fetch(`${h.url}${path}`)).text();
      expect(body, path).toMatch(/<footer>[^<]*<a href="\/privacy">How to disconnect, and what this service keeps<\/a><\/footer>/);
    }
  });
});

describe('pages for people say what a person can do', () => {
  it('never tell a person to call the API for a new link', () => {
    const pages = [
      linkProblemPage('expired'), linkProblemPage('used'), linkProblemPage('unknown'), linkProblemPage('missing'),
      callbackRejectedPage('expired'), googleFailedPage('unavailable'),
    ];
    for (const p of pages) {
      expect(p.body).not.toContain('connect-link');
      expect(p.body).toContain('ask your agent again');
    }
  });

  it('the landing page\'s dev-mode example uses this service\'s address, not localhost:8787', () => {
    const body = landingPage({ devMode: true, publishers: ['Gmail'], publicUrl: 'https://auth.example.com' }).body;
    expect(body).toContain('https://auth.example.com/token/exchange');
    expect(body).not.toContain('localhost:8787');
  });
});
