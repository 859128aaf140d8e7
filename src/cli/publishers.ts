import { ConfigError } from '../config/config.js';
import type { Catalog, Publisher } from '../publishers/catalog.js';
import { exchangeUrlProblem, serenApiUrlProblem } from '../publishers/reachable.js';
import { serenPublisherConfig } from '../publishers/seren-config.js';
import { type SyncOutcome, syncPublisher } from '../publishers/sync.js';
import type { Command } from './main.js';
import { UsageError, isHttpUrl } from './usage.js';

function selected(catalog: Catalog, slug: unknown): Publisher[] {
  if (slug === undefined) return [...catalog.values()];
  const publisher = catalog.get(String(slug));
  if (!publisher) throw new UsageError(`--publisher: unknown publisher "${String(slug)}"; known: ${[...catalog.keys()].join(', ')}`);
  return [publisher];
}

// Kept here too: commands written before usage.ts import it from this module.
export { UsageError };

export const publishersShow: Command<'publicUrl' | 'catalog'> = {
  needs: ['publicUrl', 'catalog'],
  summary: 'Print the Seren publisher configuration JSON for each publisher',
  usage: 'seren-google-auth publishers show [--publisher <slug>]\n\nToken exchange URLs are built from PUBLIC_URL; the catalog is the built-in one or PUBLISHERS_FILE.',
  options: { publisher: { type: 'string' } },
  async run({ values, config: loadConfig }) {
    const config = loadConfig();
    const publishers = selected(config.catalog, values.publisher);
    const configs = Object.fromEntries(publishers.map((p) => [p.slug, serenPublisherConfig(config.publicUrl, p)]));
    console.log(JSON.stringify(values.publisher === undefined ? configs : configs[publishers[0]!.slug], null, 2));
  },
};

export const publishersSync: Command<'publicUrl' | 'catalog'> = {
  needs: ['publicUrl', 'catalog'],
  summary: 'Apply the publisher configuration to Seren (PUT /agent/publishers/<slug>)',
  usage:
    'seren-google-auth publishers sync --seren-api-url <url> [--publisher <slug>] [--dry-run]\n\n' +
    'Reads each publisher first and shows what changes, field by field; --dry-run changes nothing.\n' +
    'Needs SEREN_API_KEY (a key allowed to manage the publishers). Exits 1 if any publisher failed.',
  options: { 'seren-api-url': { type: 'string' }, publisher: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run({ values, env, config: loadConfig }) {
    const serenApiUrl = values['seren-api-url'];
    if (typeof serenApiUrl !== 'string') throw new UsageError('--seren-api-url is required: the base URL of the Seren API, e.g. https://api.serendb.com');
    if (!isHttpUrl(serenApiUrl)) throw new UsageError(`--seren-api-url: must be an http(s) URL, e.g. https://api.serendb.com (got ${JSON.stringify(serenApiUrl)})`);
    const keyProblem = serenApiUrlProblem(serenApiUrl);
    if (keyProblem) throw new UsageError(keyProblem);
    const apiKey = env.SEREN_API_KEY;
    if (!apiKey) throw new UsageError('SEREN_API_KEY is not set: export a Seren API key allowed to manage the publishers');
    const config = loadConfig();
    const exchangeProblem = exchangeUrlProblem(config.publicUrl, serenApiUrl);
    if (exchangeProblem) throw new ConfigError([exchangeProblem]);
    const dryRun = values['dry-run'] === true;
    let failed = 0;
    for (const publisher of selected(config.catalog, values.publisher)) {
      const outcome = await syncPublisher(publisher.slug, serenPublisherConfig(config.publicUrl, publisher), { serenApiUrl, apiKey, dryRun });
      if (outcome.result === 'failed') failed++;
      console.log(describe(outcome));
    }
    if (dryRun) console.log('Dry run: nothing was changed.');
    return failed > 0 ? 1 : 0;
  },
};

function describe(o: SyncOutcome): string {
  switch (o.result) {
    case 'unchanged':
      return `${o.slug}: no change`;
    case 'failed':
      return `${o.slug}: FAILED: ${o.reason}`;
    default: {
      const verb = o.result === 'updated' ? 'updated' : 'would update';
      const lines = o.changes.map((c) => `  ${c.field}: ${JSON.stringify(c.from) ?? '(unset)'} -> ${JSON.stringify(c.to)}`);
      return `${o.slug}: ${verb}\n${lines.join('\n')}`;
    }
  }
}
