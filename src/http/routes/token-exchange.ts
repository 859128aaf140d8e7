import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/errors.js';
import type { Catalog } from '../../publishers/catalog.js';
import { publisherFrom } from '../../publishers/scopes.js';
import type { AppContext } from '../app.js';
import { requireSerenUser, serenUserOf } from '../bearer.js';
import { EXCHANGE_DEADLINE_MS } from '../../tokens/deadline.js';
import { onceHelmet, useLazyRequestLoggers } from '../hot-route.js';

const answerSchema = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    expires_in: { type: 'integer' },
    token_type: { type: 'string' },
    scope: { type: 'string' },
  },
  required: ['access_token', 'expires_in', 'token_type', 'scope'],
  additionalProperties: false,
} as const;

type Exchange = { Querystring: { publisher?: string } };

/** `POST /token/exchange[?publisher=<slug>]`: a Google access token for the gateway (SPEC §3). */
export async function tokenExchangeRoute(app: FastifyInstance, ctx: AppContext) {
  const { metrics, tokens } = ctx.tokenServices;
  const publisherLabel = (request: FastifyRequest<Exchange>) => labelOf(ctx.config.catalog, request.query?.publisher);

  // The gateway's hot path: see hot-route.ts.
  useLazyRequestLoggers(app);

  // The body is ignored (SPEC §3): accept any or none, and never parse it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.post<Exchange>(
    '/token/exchange',
    {
      ...onceHelmet(),
      schema: {
        querystring: { type: 'object', properties: { publisher: { type: 'string', maxLength: 64 } }, additionalProperties: false },
        response: { 200: answerSchema },
      },
      preHandler: [requireSerenUser(ctx.identity), ctx.tokenServices.userRateLimit],
      onError: async (request, _reply, err) => {
        metrics.exchanges.inc(err instanceof ApiError ? err.code : 'internal_error', publisherLabel(request));
      },
    },
    // Not async: an answer from memory is sent without a promise; anything else goes the long way.
    function exchangeHandler(request: FastifyRequest<Exchange>, reply: FastifyReply) {
      const publisher = publisherFrom(ctx.config.catalog, request.query.publisher);
      const user = serenUserOf(request);
      const label = publisher?.slug ?? 'none';
      reply.header('cache-control', 'no-store');
      const cached = tokens.fromMemory(user, publisher);
      if (cached) {
        metrics.exchanges.inc('ok', label);
        return reply.send(cached);
      }
      // The deadline counts from the request's arrival (identity resolution included).
      return tokens.exchange(user, publisher, performance.now() - reply.elapsedTime + EXCHANGE_DEADLINE_MS).then(({ answer, stale }) => {
        metrics.exchanges.inc(stale ? 'ok_stale' : 'ok', label);
        return reply.send(answer);
      });
    },
  );
}

/** Metric label for the publisher: only catalog slugs, so a caller cannot grow the label set. */
function labelOf(catalog: Catalog, slug: string | undefined): string {
  if (slug === undefined) return 'none';
  return catalog.has(slug) ? slug : 'unknown';
}
