import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One Google-backed Seren publisher (SPEC §6). */
export interface Publisher {
  slug: string;
  name: string;
  scopes: string[];
  token_cache_ttl_seconds: number;
}

export type Catalog = ReadonlyMap<string, Publisher>;

const GOOGLE_SCOPE = /^(https:\/\/(www\.)?googleapis\.com\/auth\/[\w.\-/]+|https:\/\/mail\.google\.com\/|openid|email|profile)$/;

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const publisherSchema = z.strictObject({
  name: z.string().min(1),
  scopes: z.array(z.string().regex(GOOGLE_SCOPE, 'must be a Google OAuth scope URL')).min(1),
  token_cache_ttl_seconds: z.number().int().min(0).max(86_400),
});

export const BUILT_IN_CATALOG = {
  gmail: {
    name: 'Gmail',
    scopes: [
      'https://www.googleapis.com/auth/gmail.readonly',
      'https://www.googleapis.com/auth/gmail.send',
      'https://www.googleapis.com/auth/gmail.modify',
    ],
    token_cache_ttl_seconds: 3500,
  },
  'google-calendar': {
    name: 'Google Calendar',
    scopes: ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/calendar.events'],
    token_cache_ttl_seconds: 3500,
  },
};

/** Validates a catalog object; throws one Error listing every problem. */
export function parseCatalog(raw: unknown, source = 'built-in catalog'): Catalog {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${source} must be a JSON object of publishers keyed by slug`);
  }
  const problems: string[] = [];
  const catalog = new Map<string, Publisher>();
  for (const [slug, entry] of Object.entries(raw)) {
    if (!SLUG.test(slug)) problems.push(`  ${slug}: publisher slugs are lowercase letters, digits and dashes`);
    const parsed = publisherSchema.safeParse(entry);
    if (parsed.success) catalog.set(slug, Object.freeze({ slug, ...parsed.data }));
    else problems.push(...parsed.error.issues.map((i) => `  ${[slug, ...i.path].join('.')}: ${i.message}`));
  }
  if (problems.length > 0) throw new Error(`${source} is not a valid publisher catalog:\n${problems.join('\n')}`);
  if (catalog.size === 0) throw new Error(`${source} lists no publishers`);
  return catalog;
}

/** Loads PUBLISHERS_FILE, or the built-in catalog when no file is given. */
export function loadCatalog(file?: string): Catalog {
  if (!file) return parseCatalog(BUILT_IN_CATALOG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`PUBLISHERS_FILE ${file} could not be read as JSON: ${(err as Error).message}`);
  }
  return parseCatalog(raw, `PUBLISHERS_FILE ${file}`);
}

/** Every scope any publisher needs, in catalog order, without repeats. */
export function allScopes(catalog: Catalog): string[] {
  return [...new Set([...catalog.values()].flatMap((p) => p.scopes))];
}
