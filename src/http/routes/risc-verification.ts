import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { ApiError } from '../../errors/errors.js';
import { RiscStore } from '../../risc/risc-store.js';
import type { AppContext } from '../app.js';

/** Per client address: `risc verify` asks twice a second for at most a few minutes. */
const VERIFICATIONS_RATE_LIMIT_PER_MINUTE = 120;

type Lookup = { Querystring: { state: string } };

/**
 * `GET /risc/verification?state=<state>`: whether a verified `verification` event with this state has
 * arrived, for `seren-google-auth risc verify` (which chose the state at random and asked Google
 * for the event). Answers nothing else: a state is only known to whoever asked for it.
 */
export async function riscVerificationRoute(app: FastifyInstance, ctx: AppContext) {
  const store = new RiscStore(ctx.db, ctx.keyring);
  const limit = app.rateLimit({ max: VERIFICATIONS_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' }) as onRequestAsyncHookHandler;
  app.get<Lookup>(
    '/risc/verification',
    {
      onRequest: limit,
      // Described in api-docs/risc.ts.
      schema: {
        querystring: { type: 'object', properties: { state: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['state'], additionalProperties: false },
      },
    },
    async (request, reply) => {
      const receivedAt = await store.verificationReceivedAt(request.query.state);
      if (!receivedAt) throw new ApiError('not_found', 'No verification event with this state has arrived (yet).');
      return reply.header('cache-control', 'no-store').send({ state: request.query.state, received_at: receivedAt.toISOString() });
    },
  );
}
