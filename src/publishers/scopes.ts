import { ApiError } from '../errors/errors.js';
import { type Catalog, type Publisher, allScopes } from './catalog.js';

/** The publisher named by `?publisher=`, or undefined without one; an unknown slug is a 400. */
export function publisherFrom(catalog: Catalog, slug: string | undefined): Publisher | undefined {
  if (slug === undefined) return undefined;
  const publisher = catalog.get(slug);
  if (!publisher) {
    const known = [...catalog.keys()];
    throw new ApiError('unknown_publisher', `Unknown publisher "${slug}"; use one of: ${known.join(', ')}.`, { publishers: known });
  }
  return publisher;
}

/** Scopes a publisher needs; without one, every publisher's scopes. */
export const neededScopes = (catalog: Catalog, publisher: Publisher | undefined) => (publisher ? publisher.scopes : allScopes(catalog));

export const missingScopes = (granted: readonly string[], needed: readonly string[]) => needed.filter((s) => !granted.includes(s));

/**
 * What a connect link asks Google for: for a first connection exactly the needed scopes; for a
 * connected user also the catalog scopes already granted, so a provider without
 * include_granted_scopes still returns a complete grant (SPEC §4).
 */
export function scopesToRequest(catalog: Catalog, publisher: Publisher | undefined, granted: readonly string[] = []): string[] {
  const known = allScopes(catalog);
  return [...new Set([...granted.filter((s) => known.includes(s)), ...neededScopes(catalog, publisher)])];
}
