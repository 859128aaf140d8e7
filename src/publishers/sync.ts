import type { SerenPublisherConfig } from './seren-config.js';

/** One field whose value on Seren differs from what this service wants. */
export interface FieldChange {
  field: keyof SerenPublisherConfig;
  from: unknown;
  to: unknown;
}

export type SyncOutcome =
  | { slug: string; result: 'unchanged' }
  | { slug: string; result: 'updated' | 'would_update'; changes: FieldChange[] }
  | { slug: string; result: 'failed'; reason: string };

export interface SyncOptions {
  serenApiUrl: string;
  apiKey: string;
  dryRun: boolean;
  timeoutMs?: number;
}

const TIMEOUT_MS = 10_000;

/** Compares the fields we own; anything else the publisher has on Seren is left alone. */
export function diffConfig(current: Record<string, unknown>, wanted: SerenPublisherConfig): FieldChange[] {
  return (Object.keys(wanted) as Array<keyof SerenPublisherConfig>)
    .filter((field) => current[field] !== wanted[field])
    .map((field) => ({ field, from: current[field], to: wanted[field] }));
}

/**
 * Applies one publisher's configuration with `PUT $URL/agent/publishers/<slug>`, after reading the
 * current one to show a per-field diff. Idempotent: nothing is sent when nothing differs.
 */
export async function syncPublisher(slug: string, wanted: SerenPublisherConfig, opts: SyncOptions): Promise<SyncOutcome> {
  const url = `${opts.serenApiUrl.replace(/\/+$/, '')}/agent/publishers/${encodeURIComponent(slug)}`;
  const call = (method: 'GET' | 'PUT', body?: unknown) =>
    fetch(url, {
      method,
      headers: { authorization: `Bearer ${opts.apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS),
    });
  try {
    const got = await call('GET');
    if (!got.ok) return { slug, result: 'failed', reason: explainStatus(got.status, 'reading', slug) };
    const json = (await got.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const current = (json && typeof json.data === 'object' && json.data !== null ? json.data : json) as Record<string, unknown> | undefined;
    if (!current || typeof current !== 'object') return { slug, result: 'failed', reason: 'Seren answered with an unreadable publisher; nothing was changed' };
    const changes = diffConfig(current, wanted);
    if (changes.length === 0) return { slug, result: 'unchanged' };
    if (opts.dryRun) return { slug, result: 'would_update', changes };
    const put = await call('PUT', wanted);
    if (!put.ok) return { slug, result: 'failed', reason: explainStatus(put.status, 'updating', slug) };
    await put.body?.cancel();
    return { slug, result: 'updated', changes };
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? 'timed out' : 'is unreachable';
    return { slug, result: 'failed', reason: `the Seren API at ${opts.serenApiUrl} ${why}; nothing was changed, retry later` };
  }
}

function explainStatus(status: number, doing: string, slug: string): string {
  if (status === 401 || status === 403) return `Seren rejected SEREN_API_KEY while ${doing} (HTTP ${status}); use a key allowed to manage publishers`;
  if (status === 404) return `Seren has no publisher "${slug}" (HTTP 404); create it on Seren first, then run sync again`;
  if (status >= 500) return `Seren failed while ${doing} (HTTP ${status}); nothing was changed, retry later`;
  return `Seren refused ${doing} the publisher (HTTP ${status})`;
}
