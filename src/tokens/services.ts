import type { FastifyInstance } from 'fastify';
import type { ConnectTokens } from '../connect/connect-tokens.js';
import type { Grants } from '../grants/grants.js';
import type { AppDeps } from '../http/app.js';
import { userRateLimit } from '../http/user-rate-limit.js';
import { Metrics } from '../metrics/metrics.js';
import { Disconnector } from '../revocation/disconnect.js';
import { PendingRevocations } from '../revocation/pending-revocations.js';
import { Revoker } from '../revocation/revoker.js';
import { RevocationWorker } from '../revocation/worker.js';
import { ConnectLinks } from './connect-links.js';
import { TokenExchange } from './exchange.js';
import { listenForGrantChanges } from './grant-invalidation.js';
import { GrantMemory } from './grant-memory.js';
import { requiredLifetimeSeconds, unreachablePublishers, GOOGLE_ACCESS_TOKEN_LIFETIME_SECONDS } from './lifetime.js';
import { GoogleBackoff } from './google-backoff.js';
import { PendingRefreshTokens } from './pending-refresh-tokens.js';
import { Refresher } from './refresher.js';
import { TokenStore } from './token-store.js';
import { UpstreamReporter } from './upstream-reporter.js';

/** The exchange, disconnect and revocation services of one app, with their metrics and the per-user rate limit. */
export interface TokenServices {
  metrics: Metrics;
  tokens: TokenExchange;
  disconnects: Disconnector;
  revocations: RevocationWorker;
  /** Google's back-off window for its token endpoint (SPEC §3), shared by every instance. */
  googleBackoff: GoogleBackoff;
  /** RATE_LIMIT_PER_MINUTE per Seren user, shared by every bearer route; place after requireSerenUser. */
  userRateLimit: ReturnType<typeof userRateLimit>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The token services of this app (operations and tests reach the revocation worker through it). */
    tokenServices: TokenServices;
  }
}

/** Builds the token services on the root app: starts the revocation worker with the app, stops it on close. */
export function createTokenServices(
  app: FastifyInstance,
  deps: AppDeps,
  { grants, connectTokens }: { grants: Grants; connectTokens: ConnectTokens },
): TokenServices {
  const { db, keyring, clock, logger, google, config } = deps;
  const metrics = new Metrics();
  const upstream = new UpstreamReporter(db, metrics, logger, clock);
  const store = new TokenStore(db, keyring);
  const memory = new GrantMemory(clock);
  const backoff = new GoogleBackoff(store, clock, logger);
  // A rotated refresh token the database could not take at once; written (and our lease freed) when it can.
  const pending: PendingRefreshTokens = new PendingRefreshTokens((id, usedVersion, refreshed) => store.saveRefreshed(id, refresher.owner, usedVersion, refreshed), logger);
  const refresher: Refresher = new Refresher({ db, store, memory, google, clock, metrics, logger, upstream, backoff, pending });
  const tokens = new TokenExchange({
    store, memory, refresher, clock, metrics, logger,
    links: new ConnectLinks(connectTokens, config.catalog),
    minTokenLifetimeSeconds: config.minTokenLifetimeSeconds,
  });
  const queue = new PendingRevocations(db);
  const revoker = new Revoker({ db, queue, keyring, google, clock, metrics, logger, upstream });
  const disconnects = new Disconnector({
    db, grants, queue, revoker, clock, logger,
    forget: (serenUserId) => tokens.forget(serenUserId),
    flushPending: (serenUserId) => pending.flush(serenUserId),
  });
  const revocations = new RevocationWorker(queue, revoker, clock, logger);

  for (const p of unreachablePublishers(config.catalog)) {
    logger.warn(
      { publisher: p.slug, token_cache_ttl_seconds: p.token_cache_ttl_seconds },
      `publisher "${p.slug}": token_cache_ttl_seconds ${p.token_cache_ttl_seconds} + 60 s = ${requiredLifetimeSeconds(p, 0)} s is more than a Google access token lives (${GOOGLE_ACCESS_TOKEN_LIFETIME_SECONDS} s): ` +
        'no cached token can satisfy it, so every exchange for it mints a new token at Google; lower its token_cache_ttl_seconds',
    );
  }

  const services: TokenServices = { metrics, tokens, disconnects, revocations, googleBackoff: backoff, userRateLimit: userRateLimit(config.rateLimitPerMinute, clock) };
  app.decorate('tokenServices', services);
  // Grant changes announced by any instance (RISC events) drop this instance's copies at once.
  const grantChanges = listenForGrantChanges(db, { forget: (id) => tokens.forget(id), forgetAll: () => memory.invalidateAll() }, logger);
  app.addHook('onReady', async () => {
    revocations.start();
    await grantChanges.start();
  });
  app.addHook('onClose', async () => {
    await revocations.stop();
    await grantChanges.stop();
    await pending.close();
  });
  return services;
}
