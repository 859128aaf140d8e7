import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../errors/errors.js';
import { pathOf, trackAllowedMethods } from './allowed-methods.js';

/** Serializes every JSON API error in one place (SPEC §3): `{error, message, ...extra}` + headers. */
export function registerErrorHandler(app: FastifyInstance): void {
  trackAllowedMethods(app);
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500 && !(err instanceof ApiError)) request.log.error({ err }, 'unhandled error');
    reply.code(apiError.status).headers({ 'cache-control': 'no-store', ...apiError.headers }).send(apiError.toJSON());
  });

  app.setNotFoundHandler((request) => {
    const path = pathOf(request);
    const allow = request.server.allowedMethods(path);
    if (allow) throw new ApiError('method_not_allowed', `${path} does not answer ${request.method}; use ${allow}.`, {}, { Allow: allow });
    throw new ApiError('not_found', `There is no ${request.method} ${path} here; see GET /openapi.json for the routes.`);
  });
}

function toApiError(err: FastifyError | ApiError): ApiError {
  if (err instanceof ApiError) return err;
  if (err.validation) return new ApiError('invalid_request', `Invalid request: ${err.message}.`);
  if (err.statusCode === 429) return new ApiError('rate_limited', 'Too many requests; slow down and retry after the indicated time.');
  if (err.statusCode === 413) return new ApiError('invalid_request', 'The request body is too large.');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new ApiError('invalid_request', `Invalid request: ${err.message}.`);
  return new ApiError('internal_error', 'Something went wrong on our side; it has been logged. Please retry.');
}
