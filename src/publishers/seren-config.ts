import type { Catalog, Publisher } from './catalog.js';

/** The Seren publisher configuration that makes the gateway call us (SPEC §6). */
export interface SerenPublisherConfig {
  token_exchange_url: string;
  token_exchange_method: 'POST';
  token_exchange_mode: 'header';
  token_cache_ttl_seconds: number;
}

export function serenPublisherConfig(publicUrl: string, publisher: Publisher): SerenPublisherConfig {
  return {
    token_exchange_url: `${publicUrl}/token/exchange?publisher=${encodeURIComponent(publisher.slug)}`,
    token_exchange_method: 'POST',
    token_exchange_mode: 'header',
    token_cache_ttl_seconds: publisher.token_cache_ttl_seconds,
  };
}

export function serenPublisherConfigs(publicUrl: string, catalog: Catalog): Record<string, SerenPublisherConfig> {
  return Object.fromEntries([...catalog.values()].map((p) => [p.slug, serenPublisherConfig(publicUrl, p)]));
}
