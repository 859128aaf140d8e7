import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

describe('docs/operations.md and GET /metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('names only metrics the service exports (alert rules that match nothing never fire)', async () => {
    const body = await (await fetch(`${h.url}/metrics`)).text();
    const exported = new Set([...body.matchAll(/^# TYPE (\S+) (\w+)/gm)].map((m) => m[1]!));
    const histogramParts = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    const named = [...new Set([...operations.matchAll(/\bsga_[a-z0-9_]+\b(?!\*)/g)].map((m) => m[0]))].filter((n) => !n.endsWith('_'));
    expect(named.length).toBeGreaterThan(8);
    expect(named.filter((n) => !exported.has(n) && !exported.has(histogramParts(n)))).toEqual([]);
    for (const prefix of ['sga_process_', 'sga_nodejs_']) expect([...exported].some((n) => n.startsWith(prefix)), prefix).toBe(true);
  });
});
