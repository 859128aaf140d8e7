import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from './context.js';
import type { EmulatorControls } from './controls.js';
import { OAuthError, sendOAuthError } from './errors.js';
import { ensureFormParser } from './form.js';
import { registerAuthorizeRoutes } from './routes-authorize.js';
import { registerControlRoutes } from './routes-control.js';
import { registerDiscoveryRoutes } from './routes-discovery.js';
import { registerResourceRoutes } from './routes-resources.js';
import { registerRevokeRoute } from './routes-revoke.js';
import { registerRiscRoutes } from './routes-risc.js';
import { registerTokenRoute } from './routes-token.js';

export interface EmulatorPluginOptions {
  /** Serve the `/_control/*` routes. Default: the emulator's `exposeControls` option, else false when mounted. */
  exposeControls?: boolean;
}

export interface PluginMode {
  standalone: boolean;
  hasIssuer: () => boolean;
}

/**
 * The emulator as an encapsulated Fastify plugin. Its routes are relative to the issuer, so the
 * mount prefix must be the issuer's path (issuer `http://host/_google` ⇔ prefix `/_google`).
 */
export function createEmulatorPlugin(ctx: EmulatorContext, controls: EmulatorControls, mode: PluginMode): FastifyPluginAsync<EmulatorPluginOptions> {
  return async function googleEmulator(app: FastifyInstance, opts: EmulatorPluginOptions) {
    if (!mode.standalone && !mode.hasIssuer()) {
      throw new Error('GoogleEmulator: options.issuer is required when mounting the plugin (e.g. http://localhost:8787/_google for prefix /_google)');
    }
    ensureFormParser(app);
    app.setErrorHandler(handleError);
    // Injected delays must not hold up shutdown.
    app.addHook('preClose', async () => ctx.failures.releaseAll());
    registerDiscoveryRoutes(app, ctx);
    registerAuthorizeRoutes(app, ctx);
    registerTokenRoute(app, ctx);
    registerRevokeRoute(app, ctx);
    registerResourceRoutes(app, ctx);
    registerRiscRoutes(app, ctx);
    if (opts.exposeControls ?? ctx.options.exposeControls ?? mode.standalone) registerControlRoutes(app, ctx, controls);
  };
}

/** Every error leaves as an OAuth JSON error; unexpected ones as a bare 500, the detail kept for the log. */
function handleError(error: FastifyError | OAuthError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof OAuthError) return sendOAuthError(reply, error);
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return sendOAuthError(reply, new OAuthError('invalid_request', error.message, status));
  }
  req.log.error({ err: error }, 'emulator: unexpected error');
  return sendOAuthError(reply, new OAuthError('server_error', 'Internal error encountered.'));
}
