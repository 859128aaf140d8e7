import type { FastifyError, FastifyInstance } from 'fastify';
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
