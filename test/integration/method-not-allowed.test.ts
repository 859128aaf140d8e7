import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

describe('a known path asked with the wrong method', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('GET /token/exchange answers 405 with Allow: POST in the API error shape', async () => {
    const res = await fetch(`${h.url}/token/exchange?publisher=gmail`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body).toEqual({ error: 'method_not_allowed', message: expect.stringContaining('use POST'), request_id: res.headers.get('x-request-id') });
  });

  it('answers 405 with the right Allow for every path the API describes', async () => {
    const doc = await (await fetch(`${h.url}/openapi.json`)).json();
    const paths = Object.entries(doc.paths as Record<string, Record<string, unknown>>);
    expect(paths.length).toBeGreaterThan(8);
    for (const [path, operations] of paths) {
      const res = await fetch(`${h.url}${path}`, { method: 'PATCH' });
      expect(res.status, path).toBe(405);
      const allow = res.headers.get('allow')!.split(', ');
      const documented = Object.keys(operations).map((m) => m.toUpperCase());
      expect(allow.filter((m) => m !== 'HEAD').sort(), path).toEqual(documented.sort());
    }
  });

  it('answers the browser pages with an HTML 405', async () => {
    const res = await fetch(`${h.url}/auth/google/callback`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('still answers 404 for a path that does not exist', async () => {
    const res = await fetch(`${h.url}/token/exchanges`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('not_found');
  });
});
