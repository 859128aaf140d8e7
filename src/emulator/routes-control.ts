import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { resetCallCounters } from './calls.js';
import { PATHS } from './context.js';
import type { EmulatorContext } from './context.js';
import type { EmulatorControls } from './controls.js';
import { OAuthError } from './errors.js';
import { FAIL_ENDPOINTS } from './failures.js';
import { ID_TOKEN_TAMPERS } from './id-token.js';
import { RISC_EVENT_NAMES, SET_TAMPERS } from './risc-set.js';

const email = z.string().min(3).max(254);
const failEndpoint = z.enum(FAIL_ENDPOINTS);
const failure = z.union([
  z.strictObject({
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(429)]),
    retryAfter: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({ delayMs: z.number().int().min(0).max(600_000) }),
  z.strictObject({ hang: z.literal(true) }),
  z.strictObject({ error: z.enum(['invalid_client', 'unauthorized_client', 'invalid_grant']) }),
]);

const schemas = {
  autoApprove: z.strictObject({ on: z.boolean() }),
  nextConsent: z.strictObject({
    withholdScopes: z.array(z.string()).optional(),
    deny: z.boolean().optional(),
    email: email.optional(),
    autoApprove: z.boolean().optional(),
  }),
  defaultAccount: z.strictObject({ email, sub: z.string().min(1).optional() }),
  revokeGrant: z.strictObject({ email }),
  failNext: z.strictObject({
    endpoint: failEndpoint,
    failure,
    count: z.number().int().positive().optional(),
    /** JSON has no Infinity: `persistent: true` keeps failing until clearFailures. */
    persistent: z.boolean().optional(),
  }),
  clearFailures: z.strictObject({ endpoint: failEndpoint.optional() }),
  omitRefreshToken: z.strictObject({ next: z.boolean().optional() }),
  rotateRefreshTokens: z.strictObject({ on: z.boolean() }),
  tamperNextIdToken: z.strictObject({ kind: z.enum(ID_TOKEN_TAMPERS).nullable() }),
  advanceClock: z.strictObject({ seconds: z.number().finite() }),
  grant: z.strictObject({ email, clientId: z.string().optional() }),
  serviceAccount: z.strictObject({ email: email.optional(), riscAdmin: z.boolean().optional() }),
  push: z.strictObject({
    event: z.enum(RISC_EVENT_NAMES),
    email: email.optional(),
    sub: z.string().min(1).max(255).optional(),
    clientId: z.string().optional(),
    reason: z.string().optional(),
    state: z.string().max(1000).optional(),
    tokenIdentifierAlg: z.enum(['prefix', 'hash_base64_sha512_sha512']).optional(),
    tokenIdentifier: z.string().optional(),
    subjectFormat: z.enum(['iss-sub', 'iss_sub']).optional(),
    eventTypeUri: z.url().optional(),
    receiver: z.url({ protocol: /^https?$/ }).optional(),
    jti: z.string().min(1).max(255).optional(),
    tamper: z.enum(SET_TAMPERS).optional(),
    applyAtGoogle: z.boolean().optional(),
  }),
};

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new OAuthError('invalid_request', z.prettifyError(result.error));
  return result.data;
}

/** The test switches over HTTP (JSON), for a separate process such as the demo or a browser test. */
export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext, controls: EmulatorControls): void {
  app.register(async (scope) => controlRoutes(scope, ctx, controls), { prefix: PATHS.control });
}

function controlRoutes(app: FastifyInstance, ctx: EmulatorContext, controls: EmulatorControls): void {
  // A JSON content type cannot be sent cross-site without a preflight, so a web page cannot flip these switches.
  app.addHook('onRequest', async (req) => {
    if (req.method === 'POST' && !(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      throw new OAuthError('invalid_request', 'Control requests must be application/json.', 415);
    }
  });

  const command = <T>(path: string, schema: z.ZodType<T>, run: (body: T) => object | void) =>
    app.post(path, async (req) => run(parse(schema, req.body)) ?? { ok: true });
  const empty = z.strictObject({});

  app.get('/calls', async () => ({ ...ctx.calls }));
  app.get('/risc/stream', async (_req, reply) => controls.riscStream() ?? reply.code(404).send({ error: 'not_found', error_description: 'No stream configured.' }));
  app.get('/risc/deliveries', async () => controls.riscDeliveries());
  app.post('/risc/serviceAccount', async (req) => controls.createServiceAccount(parse(schemas.serviceAccount, req.body)));
  app.post('/risc/push', async (req) => controls.pushSecurityEvent(parse(schemas.push, req.body)));
  app.get('/grant', async (req, reply) => {
    const query = parse(schemas.grant, req.query);
    const info = controls.grantFor(query.email, query.clientId);
    return info ?? reply.code(404).send({ error: 'not_found', error_description: 'No grant for this account.' });
  });
  command('/resetCalls', empty, () => resetCallCounters(ctx.calls));
  command('/reset', empty, () => controls.reset());
  command('/autoApprove', schemas.autoApprove, ({ on }) => {
    controls.autoApprove = on;
  });
  command('/nextConsent', schemas.nextConsent, (decision) => controls.nextConsent(decision));
  command('/defaultAccount', schemas.defaultAccount, (account) => controls.setDefaultAccount(account));
  command('/revokeGrant', schemas.revokeGrant, ({ email }) => ({ revoked: controls.revokeGrant(email) }));
  command('/failNext', schemas.failNext, ({ endpoint, failure, count, persistent }) =>
    controls.failNext(endpoint, failure, persistent ? Infinity : (count ?? 1)),
  );
  command('/clearFailures', schemas.clearFailures, ({ endpoint }) => controls.clearFailures(endpoint));
  command('/omitRefreshToken', schemas.omitRefreshToken, ({ next }) => controls.omitRefreshToken(next));
  command('/rotateRefreshTokens', schemas.rotateRefreshTokens, ({ on }) => controls.rotateRefreshTokens(on));
  command('/tamperNextIdToken', schemas.tamperNextIdToken, ({ kind }) => controls.tamperNextIdToken(kind ?? undefined));
  command('/advanceClock', schemas.advanceClock, ({ seconds }) => controls.advanceClock(seconds));
}
