import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { ConnectTokens } from '../connect/connect-tokens.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Database } from '../db/database.js';
import type { GoogleEmulator } from '../emulator/index.js';
import { OAuthFlows } from '../flows/flows.js';
import type { GoogleClient } from '../google/client.js';
import { Grants } from '../grants/grants.js';
import type { Logger } from '../log/logger.js';
import { RepeatLimitedLog } from '../log/repeat-limited.js';
import { OneLineRequestLog } from '../log/request-log.js';
import { type Maintenance, createMaintenance } from '../maintenance/index.js';
import { standardPurges } from '../maintenance/purges.js';
import type { IdentityResolver } from '../seren/identity.js';
import { loggingSerenFailures } from '../seren/identity-log.js';
import { fastifyTrustProxy } from '../config/trust-proxy.js';
import { answerFrameworkError, registerErrorHandler } from './error-handler.js';
import { refusePlainHttp } from './https-only.js';
import { registerOpenApi } from './openapi.js';
import { registerRequestIds, requestIdFor } from './request-id.js';
import { drainOnClose } from './shutdown.js';
import { authRoutes } from './routes/auth.js';
import { connectLinkRoute } from './routes/connect-link.js';
import { healthRoutes } from './routes/health.js';
import { landingRoute } from './routes/landing.js';
import { metricsRoute } from './routes/metrics.js';
import { riscEventsRoute } from './routes/risc-events.js';
import { riscVerificationRoute } from './routes/risc-verification.js';
import { tokenExchangeRoute } from './routes/token-exchange.js';
import { tokenRevokeRoute } from './routes/token-revoke.js';
import { tokenStatusRoute } from './routes/token-status.js';
import { type TokenServices, createTokenServices } from '../tokens/services.js';

/** Everything the HTTP app needs, built by main.ts (or by a test, with real parts on ephemeral ports). */
export interface AppDeps {
  config: Config;
  db: Database;
  keyring: Keyring;
  clock: Clock;
  google: GoogleClient;
  identity: IdentityResolver;
  logger: Logger;
  /** Dev mode: the emulated Google, served under /_google by this app. */
  emulator?: GoogleEmulator | undefined;
}

/** The dependencies plus the domain services built from them, handed to every route plugin. */
export interface AppContext extends AppDeps {
  grants: Grants;
  connectTokens: ConnectTokens;
  /** OAuth transactions of the browser flow (SPEC §4). */
  flows: OAuthFlows;
  /** Token exchange, disconnect and revocation, metrics, the per-user rate limit (SPEC §3, §9). */
  tokenServices: TokenServices;
  /** Periodic purges (expired links and flows, audit retention); other modules may add their own. */
  maintenance: Maintenance;
  /** Google failing while browser pages are served: one line a minute per kind (an outage fails every page load). */
  pageFailures: RepeatLimitedLog;
}

/** Where dev mode serves the emulated Google inside this service. */
export const EMULATOR_PREFIX = '/_google';

/** The Content-Security-Policy of every page: nothing but our own stylesheet, forms only to ourselves. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 16 * 1024,
    // A client that never finishes its request must not hold a worker forever.
    requestTimeout: 30_000,
    // Requests during shutdown get the SPEC's 503 service_unavailable instead (drainOnClose).
    return503OnClosing: false,
    genReqId: requestIdFor,
    frameworkErrors: answerFrameworkError,
    logController: new OneLineRequestLog(),
  });
  registerRequestIds(app);

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    hsts: config.strict ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie);
  await app.register(formbody);
  // Limits are set per route: /auth/* per client address, bearer routes per Seren user.
  await app.register(rateLimit, { global: false });
  registerErrorHandler(app);
  drainOnClose(app);
  app.decorateRequest('serenUser', null);

  if (config.strict && config.trustProxy !== false) refusePlainHttp(app);

  const grants = new Grants(deps.db, deps.keyring, deps.clock);
  const connectTokens = new ConnectTokens(deps.db, deps.keyring, deps.clock, config.connectTokenTtlSeconds, config.publicUrl, (id) =>
    grants.linkedAccount(id),
  );
  const flows = new OAuthFlows(deps.db, deps.keyring, deps.clock);
  const tokenServices = createTokenServices(app, deps, { grants, connectTokens });
  const maintenance = createMaintenance(app, { clock: deps.clock, logger: deps.logger, registry: tokenServices.metrics.registry });
  for (const task of standardPurges({ db: deps.db, connectTokens, flows, auditRetentionDays: config.auditRetentionDays })) maintenance.add(task);
  const identity = loggingSerenFailures(deps.identity, deps.logger, deps.clock);
  const pageFailures = new RepeatLimitedLog(deps.logger, deps.clock);
  const ctx: AppContext = { ...deps, identity, grants, connectTokens, flows, tokenServices, maintenance, pageFailures };

  await registerOpenApi(app, config.publicUrl, EMULATOR_PREFIX);
  await app.register(landingRoute, ctx);
  await app.register(healthRoutes, ctx);
  await app.register(connectLinkRoute, ctx);
  await app.register(tokenExchangeRoute, ctx);
  await app.register(tokenStatusRoute, ctx);
  await app.register(tokenRevokeRoute, ctx);
  await app.register(metricsRoute, ctx);
  await app.register(authRoutes, ctx);
  await app.register(riscEventsRoute, ctx);
  await app.register(riscVerificationRoute, ctx);
  if (deps.emulator) await app.register(deps.emulator.plugin, { prefix: EMULATOR_PREFIX, exposeControls: true });
  return app;
}
