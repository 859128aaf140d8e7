import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseUnavailableError } from '../db/failures.js';
import { ApiError, retryAfter } from '../errors/errors.js';
import { pathOf, trackAllowedMethods } from './allowed-methods.js';

/** Serializes every JSON API error in one place (SPEC §3): `{error, message, ...extra}` + headers. */
export function registerErrorHandler(app: FastifyInstance): void {
  trackAllowedMethods(app);
  app.setErrorHandler((err: FastifyError | ApiError | DatabaseUnavailableError, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.code === 'internal_error' && !(err instanceof ApiError)) request.log.error({ err }, 'unhandled error');
    reply.code(apiError.status).headers({ 'cache-control': 'no-store', ...apiError.headers }).send(apiError.toJSON());
  });

  app.setNotFoundHandler((request) => {
    const path = pathOf(request);
    const allow = request.server.allowedMethods(path);
    if (allow) throw new ApiError('method_not_allowed', `${path} does not answer ${request.method}; use ${allow}.`, {}, { Allow: allow });
    throw new ApiError('not_found', `There is no ${request.method} ${path} here; see GET /openapi.json for the routes.`);
  });
}

/**
 * Fastify's `frameworkErrors`: what fails before a route is even found (a URL whose %-escapes
 * do not decode), answered in the same shape, with the request id, instead of Fastify's own.
 */
export function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const message = err.code === 'FST_ERR_BAD_URL' ? 'The URL cannot be decoded (a malformed %-escape); fix the link or the request.' : `Invalid request: ${err.message}.`;
  const apiError = new ApiError('invalid_request', message);
  reply
    .code(apiError.status)
    .headers({ 'cache-control': 'no-store', 'x-request-id': request.id })
    .send({ ...apiError.toJSON(), request_id: request.id });
}

/** Seconds a client waits before retrying while our database is unavailable (the pool reconnects within them). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

function toApiError(err: FastifyError | ApiError | DatabaseUnavailableError): ApiError {
  if (err instanceof ApiError) return err;
  // Logged once per outage episode where the database is watched (db/outage.ts), not per request.
  if (err instanceof DatabaseUnavailableError) {
    return new ApiError('service_unavailable', 'This service cannot reach its database right now; retry after the indicated time.', {}, retryAfter(DATABASE_RETRY_AFTER_SECONDS));
  }
  if (err.validation) return new ApiError('invalid_request', `Invalid request: ${err.message}.`);
  if (err.statusCode === 429) return new ApiError('rate_limited', 'Too many requests; slow down and retry after the indicated time.');
  if (err.statusCode === 413) return new ApiError('invalid_request', 'The request body is too large.');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new ApiError('invalid_request', `Invalid request: ${err.message}.`);
  return new ApiError('internal_error', 'Something went wrong on our side; it has been logged. Please retry.');
}
