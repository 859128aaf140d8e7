import type { Clock } from '../clock.js';
import type { SerenPublisherConfig } from '../publishers/seren-config.js';

/** What the agent sees from one call through the gateway. */
export type GatewayResult =
  | { ok: true; status: number; body: unknown; tokenFromCache: boolean }
  /** The token exchange failed: the gateway surfaces its error and message verbatim. */
  | { ok: false; status: number; error: string; message: string; body: Record<string, unknown> };

const EXCHANGE_TIMEOUT_MS = 10_000;

/**
 * Behaves like the Seren gateway for one Google-backed publisher (SPEC §1, §6): exchanges the
 * agent's Seren API key at `token_exchange_url` (header mode: `Authorization: Bearer <key>`),
 * caches the Google token for `token_cache_ttl_seconds`, and calls the publisher with
 * `Authorization: Bearer <google token>`.
 */
export class GatewaySimulator {
  private readonly cache = new Map<string, { token: string; until: number }>();

  constructor(
    private readonly publisher: SerenPublisherConfig,
    private readonly clock: Clock = Date.now,
  ) {}

  async call(agentApiKey: string, publisherUrl: string, init: { method?: string } = {}): Promise<GatewayResult> {
    const cached = this.cache.get(agentApiKey);
    let token = cached && cached.until > this.clock() ? cached.token : undefined;
    const tokenFromCache = token !== undefined;
    if (!token) {
      const exchanged = await this.exchange(agentApiKey);
      if (!exchanged.ok) return exchanged;
      token = exchanged.token;
      this.cache.set(agentApiKey, { token, until: this.clock() + this.publisher.token_cache_ttl_seconds * 1000 });
    }
    const res = await fetch(publisherUrl, { method: init.method ?? 'GET', headers: { authorization: `Bearer ${token}` } });
    const body = await res.json().catch(() => undefined);
    return { ok: true, status: res.status, body, tokenFromCache };
  }

  /** The gateway's own call to this service. */
  async exchange(agentApiKey: string): Promise<{ ok: true; token: string; expiresIn: number } | Extract<GatewayResult, { ok: false }>> {
    const res = await fetch(this.publisher.token_exchange_url, {
      method: this.publisher.token_exchange_method,
      headers: { authorization: `Bearer ${agentApiKey}` },
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok && typeof body.access_token === 'string') {
      return { ok: true, token: body.access_token, expiresIn: Number(body.expires_in) };
    }
    return { ok: false, status: res.status, error: String(body.error ?? 'unknown_error'), message: String(body.message ?? `HTTP ${res.status}`), body };
  }

  forget(agentApiKey: string): void {
    this.cache.delete(agentApiKey);
  }
}
