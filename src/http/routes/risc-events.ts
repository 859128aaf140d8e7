import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { DatabaseUnavailableError } from '../../db/database.js';
import { PURGE_EVERY_MS } from '../../maintenance/purges.js';
import { RiscReceiver } from '../../risc/receiver.js';
import { riscEventsCounter } from '../../risc/metrics.js';
import { RiscStore } from '../../risc/risc-store.js';
import { SetRejected } from '../../risc/set-verifier.js';
import { Transmitter, TransmitterUnavailable } from '../../risc/transmitter.js';
import type { AppContext } from '../app.js';

/** A SET is a few hundred bytes to a couple of KiB; anything far larger is not one. */
export const MAX_SET_BYTES = 16 * 1024;
/** Per client address. Google pushes from its own addresses, in bursts after an outage; a 429 makes it retry later. */
export const RISC_RATE_LIMIT_PER_MINUTE = 600;

const SET_MEDIA_TYPE = 'application/secevent+jwt';
const RETRY_AFTER_SECONDS = 30;

/** RFC 8935 §2.4's error body, the one shape every failure of this route leaves in (plus our request id). */
function sendError(reply: FastifyReply, status: number, err: string, description: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ err, description, request_id: reply.request.id });
}

/**
 * `POST /risc/events` (SPEC §11): Google's Cross-Account Protection pushes Security Event Tokens
 * here (RFC 8935). No bearer: the SET's signature is the authentication. 202 with an empty body
 * for a valid SET (a replay too), 400 with an RFC 8935 error for one that fails a check.
 */
export async function riscEventsRoute(app: FastifyInstance, ctx: AppContext) {
  const store = new RiscStore(ctx.db, ctx.keyring);
  ctx.maintenance.add({ name: 'risc_received_sets', everyMs: PURGE_EVERY_MS, run: (now) => store.purgeReceived(now) });
  const receiver = new RiscReceiver({
    db: ctx.db,
    store,
    transmitter: new Transmitter(ctx.google.issuer, ctx.config.strict, ctx.clock),
    clock: ctx.clock,
    logger: ctx.logger,
    counter: riscEventsCounter(ctx.tokenServices.metrics.registry),
    audience: ctx.config.google.clientId,
    oidcIssuer: ctx.google.issuer,
    forget: (serenUserId) => ctx.tokenServices.tokens.forget(serenUserId),
  });

  // Only this media type is read, as text; any other answers 400 without the body being read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(SET_MEDIA_TYPE, { parseAs: 'string', bodyLimit: MAX_SET_BYTES }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'invalid_request', `The body is larger than ${MAX_SET_BYTES} bytes; a SET is much smaller.`);
    if (error.statusCode === 429) return sendError(reply, 429, 'rate_limited', 'Too many requests from this address; retry after the indicated time.');
    if (error.statusCode && error.statusCode < 500) return sendError(reply, 400, 'invalid_request', mediaTypeProblem(request) ?? `The request cannot be read: ${error.message}.`);
    request.log.error({ err: error }, 'unhandled error receiving a security event');
    return sendError(reply, 500, 'internal_error', 'The event could not be processed; it has been logged. Please retry.');
  });

  const limit = app.rateLimit({ max: RISC_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' }) as onRequestAsyncHookHandler;

  app.post(
    '/risc/events',
    {
      onRequest: limit,
      // Described in api-docs/risc.ts.
      schema: {
        consumes: [SET_MEDIA_TYPE],
        body: { type: 'string', minLength: 1, description: 'The SET, a signed JWT in compact form' },
      },
      preValidation: async function requireSetMediaType(request: FastifyRequest, reply: FastifyReply) {
        const problem = mediaTypeProblem(request);
        if (problem) return sendError(reply, 400, 'invalid_request', problem);
      },
    },
    async function receiveSecurityEvent(request: FastifyRequest, reply: FastifyReply) {
      try {
        await receiver.receive((request.body as string).trim());
      } catch (err) {
        if (err instanceof SetRejected) return sendError(reply, 400, err.err, err.message);
        if (err instanceof TransmitterUnavailable) {
          request.log.error({ err }, "Google's RISC configuration or signing keys could not be loaded");
          reply.header('retry-after', String(RETRY_AFTER_SECONDS));
          return sendError(reply, 503, 'temporarily_unavailable', "Google's signing keys could not be loaded to check this event; retry later.");
        }
        if (err instanceof DatabaseUnavailableError) {
          reply.header('retry-after', String(RETRY_AFTER_SECONDS));
          return sendError(reply, 503, 'temporarily_unavailable', "This service's database is unavailable; the event was not recorded, retry later.");
        }
        throw err;
      }
      return reply.code(202).header('cache-control', 'no-store').send();
    },
  );
}

function mediaTypeProblem(request: FastifyRequest): string | undefined {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== SET_MEDIA_TYPE) return `Content-Type must be ${SET_MEDIA_TYPE} (RFC 8935 §2); got ${type ? `"${type.slice(0, 100)}"` : 'none'}.`;
  if (typeof request.body !== 'string' || request.body.trim() === '') return 'The body is empty; it must be the SET (a signed JWT).';
  return undefined;
}
