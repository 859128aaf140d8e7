import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PATHS, endpointUrl } from './context.js';
import type { EmulatorContext } from './context.js';
import { GoogleApiError, authenticateServiceAccount } from './risc-auth.js';
import { deliver } from './risc-push.js';
import { PUSH_DELIVERY_METHOD, RISC_EVENT_TYPES, signSet } from './risc-set.js';
import type { StreamConfig } from './risc-stream.js';

/**
 * Google's Cross-Account Protection transmitter: the RISC configuration document (OpenID RISC
 * Profile §3, with Google's own field names) and the stream management API of
 * risc.googleapis.com/v1beta, served under the issuer at /risc/v1beta.
 */
export function riscConfiguration(ctx: EmulatorContext): Record<string, unknown> {
  const url = (path: string) => endpointUrl(ctx, path);
  return {
    issuer: ctx.issuer(),
    jwks_uri: url(PATHS.jwks),
    delivery_methods_supported: [PUSH_DELIVERY_METHOD],
    get_status_endpoint: url(PATHS.riscStatus),
    get_configuration_endpoint: url(PATHS.riscStream),
    update_configuration_endpoint: url(PATHS.riscStreamUpdate),
    verification_endpoint: url(PATHS.riscVerify),
  };
}

const KNOWN_EVENT_TYPES = new Set<string>(Object.values(RISC_EVENT_TYPES));

/** find-my-way reads `:` as a parameter; Google's custom methods (`stream:update`) need it literal. */
const literal = (path: string) => path.replaceAll(':', '::');

export function registerRiscRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get(PATHS.riscConfiguration, async (_req, reply) => {
    ctx.calls.risc_configuration += 1;
    return reply.header('cache-control', 'public, max-age=3600').send(riscConfiguration(ctx));
  });

  const managed = (run: (req: FastifyRequest) => Promise<object> | object) => async (req: FastifyRequest, reply: FastifyReply) => {
    ctx.calls.risc_management += 1;
    try {
      await authenticateServiceAccount(ctx, req.headers.authorization);
      return reply.header('cache-control', 'no-store').send(await run(req));
    } catch (err) {
      if (err instanceof GoogleApiError) return err.send(reply);
      throw err;
    }
  };

  app.post(literal(PATHS.riscStreamUpdate), managed((req) => {
    ctx.risc.config = parseStreamConfig(req.body);
    return ctx.risc.config!;
  }));

  app.get(PATHS.riscStream, managed(() => {
    const config = ctx.risc.config;
    if (!config) throw new GoogleApiError(404, 'Project has no RISC configuration.');
    return config;
  }));

  app.get(PATHS.riscStatus, managed(() => ({ status: ctx.risc.enabled ? 'enabled' : 'disabled' })));

  app.post(literal(PATHS.riscStatusUpdate), managed((req) => {
    const status = (req.body as { status?: unknown } | undefined)?.status;
    if (status !== 'enabled' && status !== 'disabled') throw new GoogleApiError(403, 'Unsupported status.');
    if (!ctx.risc.config) throw new GoogleApiError(404, 'Project has no existing RISC configuration, cannot update status.');
    ctx.risc.enabled = status === 'enabled';
    return { status };
  }));

  app.post(literal(PATHS.riscVerify), managed((req) => {
    const state = (req.body as { state?: unknown } | undefined)?.state;
    if (state !== undefined && typeof state !== 'string') throw new GoogleApiError(400, 'Invalid value at \'state\' (TYPE_STRING).');
    if (!ctx.risc.config) throw new GoogleApiError(404, 'Project has no RISC configuration.');
    // Google sends the verification token later, on its own; the request only asks for it.
    setImmediate(() => void sendVerification(ctx, state ?? ''));
    return {};
  }));
}

async function sendVerification(ctx: EmulatorContext, state: string): Promise<void> {
  const eventType = RISC_EVENT_TYPES.verification;
  const receiver = ctx.risc.receiverFor(eventType);
  if (!receiver) return; // not asked for: Google sends nothing
  const audience = ctx.options.clients[0]!.clientId;
  const { set, jti } = await signSet(ctx.keys, { issuer: ctx.issuer(), audience, events: { [eventType]: { state } }, nowMs: ctx.now() });
  await deliver(ctx, receiver, set, jti, eventType);
}

const streamSchema = z.object({
  delivery: z.object({ delivery_method: z.string(), url: z.string() }),
  events_requested: z.array(z.string()),
});

/** `stream:update`'s checks, with Google's documented answers. */
function parseStreamConfig(body: unknown): StreamConfig {
  const shape = body as Record<string, Record<string, unknown> | undefined> | undefined;
  for (const field of ['delivery', 'events_requested'] as const) {
    if (shape?.[field] === undefined) throw new GoogleApiError(400, `Stream configuration must contain ${field} field.`);
  }
  for (const field of ['delivery_method', 'url'] as const) {
    if (shape?.delivery?.[field] === undefined) throw new GoogleApiError(400, `Stream configuration must contain delivery.${field} field.`);
  }
  const parsed = streamSchema.safeParse(body);
  if (!parsed.success) throw new GoogleApiError(400, 'Stream configuration is invalid or cannot be parsed.');
  const { delivery, events_requested } = parsed.data;
  if (delivery.delivery_method !== PUSH_DELIVERY_METHOD) throw new GoogleApiError(400, `Unsupported delivery method: ${delivery.delivery_method}.`);
  if (!isHttpsOrLoopback(delivery.url)) throw new GoogleApiError(403, 'The delivery endpoint must be an HTTPS URL.');
  const unknown = events_requested.filter((e) => !KNOWN_EVENT_TYPES.has(e));
  if (unknown.length > 0) throw new GoogleApiError(400, `Unsupported event types: ${unknown.join(', ')}.`);
  return { delivery: { delivery_method: delivery.delivery_method, url: delivery.url }, events_requested: [...new Set(events_requested)] };
}

/** Google takes only https:// receivers; the emulator also takes http:// on loopback, where tests and dev mode live. */
function isHttpsOrLoopback(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
