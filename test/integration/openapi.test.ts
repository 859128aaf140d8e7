import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/errors/errors.js';
import { type Harness, startHarness } from '../support/harness.js';
import { lintOpenApi } from '../support/openapi-lint.js';
import { exchange, newUser } from '../support/token-client.js';

type Operation = {
  operationId?: string;
  summary?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  responses: Record<string, { description: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
};

/** Warnings of the recommended ruleset that describe the service as it is meant to be. */
const ACCEPTED_WARNINGS = [
  // Liveness and readiness have no client error: they answer everyone, over plain HTTP too.
  'operation-4xx-response #/paths/~1health/get/responses',
  'operation-4xx-response #/paths/~1ready/get/responses',
  // Continue answers 303 to Google (SPEC §4), never 2xx.
  'operation-2xx-response #/paths/~1auth~1google/post/responses',
];

const BEARER_ROUTES = ['POST /token/exchange', 'POST /token/connect-link', 'GET /token/status', 'DELETE /token/revoke'];

describe('GET /openapi.json', () => {
  let h: Harness;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> } };
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const));

  beforeAll(async () => {
    h = await startHarness();
    doc = await (await fetch(`${h.url}/openapi.json`)).json();
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

  it('describes every route the service serves', () => {
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(10);
    expect(served).toEqual(expect.arrayContaining([...BEARER_ROUTES, 'GET /auth/google', 'POST /auth/google', 'GET /auth/google/callback']));
    expect(operations().map(([name]) => name).sort()).toEqual(served.sort());
  });

  it('passes Redocly\'s recommended ruleset with no error, and only the warnings that describe the design', async () => {
    const problems = await lintOpenApi(doc);
    expect(problems.filter((p) => p.severity === 'error'), JSON.stringify(problems, null, 1)).toEqual([]);
    const warnings = problems.map((p) => `${p.rule} ${p.where}`);
    expect(warnings.filter((w) => !ACCEPTED_WARNINGS.includes(w))).toEqual([]);
  });

  it('gives every operation a unique operationId, a summary and its security', () => {
    const ids = operations().map(([, op]) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, op] of operations()) {
      expect(op.summary, name).toBeTruthy();
      expect(op.security, name).toBeDefined();
      const bearer = BEARER_ROUTES.includes(name);
      expect(op.security!.some((s) => 'serenApiKey' in s), name).toBe(bearer);
    }
  });

  it('declares the statuses and parameters the routes really use', () => {
    const start = doc.paths['/auth/google']!.post!;
    expect(Object.keys(start.responses)).toContain('303');
    expect(Object.keys(start.responses)).not.toContain('200');
    const confirm = doc.paths['/auth/google']!.get!;
    expect(confirm.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'seren_token', required: true })]));
    const exchangeOp = doc.paths['/token/exchange']!.post!;
    expect(exchangeOp.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'publisher' })]));
    // SPEC §3's statuses for the exchange, each with the shared error schema.
    for (const status of ['400', '401', '403', '429', '500', '503']) {
      expect(exchangeOp.responses[status]?.content?.['application/json']?.schema?.$ref, status).toBe('#/components/schemas/ApiError');
    }
    for (const code of ['invalid_seren_credentials', 'seren_account_inactive', 'google_not_connected', 'google_reauthorization_required', 'google_insufficient_scope', 'unknown_publisher', 'rate_limited', 'google_unavailable', 'seren_unavailable', 'google_client_misconfigured']) {
      expect(JSON.stringify(exchangeOp.responses), code).toContain(`\`${code}\``);
    }
  });

  it('gives every operation\'s error responses (4xx, 5xx) a body: an HTML page or the shared error schema', () => {
    const API_ERROR = { $ref: '#/components/schemas/ApiError' };
    const readiness = doc.paths['/ready']!.get!.responses['200']!.content!['application/json']!.schema;
    let checked = 0;
    for (const [name, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const content = Object.entries(response.content ?? {});
        expect(content, `${name} ${status}`).not.toEqual([]);
        for (const [type, media] of content) {
          const where = `${name} ${status} ${type}`;
          // The browser pages answer errors as HTML pages, never JSON (docs/api.md, browser routes).
          if (type === 'text/html' && name.includes(' /auth/')) continue;
          expect(type, where).toBe('application/json');
          const schema = media.schema as Record<string, unknown> | undefined;
          if (name === 'POST /risc/events' && schema?.$ref === undefined) {
            // Exception: Google's push delivery expects RFC 8935's error body ({err, description}), not ApiError.
            expect(schema?.required, where).toEqual(['err', 'description']);
          } else if (name === 'GET /ready' && status === '503') {
            // Exception: "not ready" is the readiness body (the 200's schema, `checks` false where missing);
            // only service_unavailable (shutting down, database gone) is an ApiError.
            expect(schema, where).toEqual({ oneOf: [readiness, API_ERROR] });
          } else {
            expect(schema, where).toEqual(API_ERROR);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('lists every error code in the shared error schema', () => {
    expect(doc.components.schemas.ApiError!.properties.error!.enum!.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });

  it('describes the error bodies the service really sends', async () => {
    const user = newUser(h);
    const answers = [await exchange(h, undefined), await exchange(h, user.key, 'nope'), await exchange(h, user.key, 'gmail')];
    const schema = doc.components.schemas.ApiError as unknown as { required: string[]; properties: Record<string, unknown> };
    for (const res of answers) {
      const body = await res.json();
      for (const field of schema.required) expect(body, field).toHaveProperty(field);
      for (const field of Object.keys(body)) expect(Object.keys(schema.properties), field).toContain(field);
      expect(doc.paths['/token/exchange']!.post!.responses[String(res.status)], String(res.status)).toBeDefined();
    }
  });
});
