import type { Config } from '../config/config.js';

/** The start-up announcement; dev mode is boxed so no one can miss it. */
export function startBanner(config: Config, url: string): string {
  const lines = [
    `seren-google-auth listening on ${url} (public URL ${config.publicUrl})`,
    `database: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PostgreSQL in ${config.dataDir}`}`,
    `publishers: ${[...config.catalog.keys()].join(', ')}`,
  ];
  if (!config.devMode) return lines.join('\n');
  const dev = [
    'DEV MODE: not for production',
    `Google is EMULATED at ${config.publicUrl}/_google (no GOOGLE_CLIENT_ID set)`,
    config.serenUserinfoUrl ? `Seren identities from ${config.serenUserinfoUrl}` : 'Seren API keys "seren_dev_<name>" are accepted as user dev-<name>',
    'Try: npm run demo',
  ];
  const width = Math.max(...dev.map((l) => l.length)) + 4;
  const bar = '!'.repeat(width);
  return [bar, ...dev.map((l) => `! ${l.padEnd(width - 4)} !`), bar, ...lines].join('\n');
}
