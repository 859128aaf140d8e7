import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

describe('GET /openapi.json', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  /** Every route the app serves, as "METHOD /path", read from Fastify's route tree (HEAD mirrors GET). */
  function servedRoutes(): string[] {
    const paths: string[] = [];
    const routes: string[] = [];
    for (const line of h.service.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)(?:├── |└── )(\S+) \(([A-Z, ]+)\)$/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      const parent = depth === 0 ? '' : paths[depth - 1]!;
      const path = parent.endsWith('/') || m[2]!.startsWith('/') ? parent + m[2] : `${parent}/${m[2]}`;
      paths[depth] = path;
      for (const method of m[3]!.split(', ')) if (method !== 'HEAD') routes.push(`${method} ${path}`);
    }
    return routes;
  }

  it('describes every route the service serves', async () => {
    const res = await fetch(`${h.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(10);
    expect(served).toEqual(expect.arrayContaining(['POST /token/exchange', 'GET /token/status', 'DELETE /token/revoke', 'POST /token/connect-link', 'GET /auth/google', 'POST /auth/google', 'GET /auth/google/callback']));
    expect(documented.sort()).toEqual(served.sort());
  });
});
