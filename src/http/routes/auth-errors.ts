import type { FastifyError, FastifyInstance } from 'fastify';
import { DatabaseUnavailableError } from '../../db/failures.js';
import { ApiError } from '../../errors/errors.js';
import { GoogleError } from '../../google/errors.js';
import type { RepeatLimitedLog } from '../../log/repeat-limited.js';
import {
  badRequestPage, forbiddenFormPage, googleFailedPage, internalErrorPage, methodNotAllowedPage, notFoundPage, rateLimitedPage,
  serviceUnavailablePage,
} from '../../pages/problems.js';
import { pathOf } from '../allowed-methods.js';
import { DATABASE_RETRY_AFTER_SECONDS } from '../error-handler.js';
import { sendPage } from './auth-reply.js';

/** /auth/* is for browsers: every error there is an HTML page, never JSON (scoped to this plugin). */
export function registerAuthErrorPages(auth: FastifyInstance, pageFailures: RepeatLimitedLog): void {
  auth.setErrorHandler((err: FastifyError | ApiError | DatabaseUnavailableError, request, reply) => {
    // The database's outage is logged once per episode (db/outage.ts); shutdown needs no log.
    if (err instanceof DatabaseUnavailableError || (err instanceof ApiError && err.code === 'service_unavailable')) {
      reply.headers(err instanceof ApiError ? err.headers : { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) });
      return sendPage(reply, serviceUnavailablePage());
    }
    const status = err instanceof ApiError ? err.status : (err.statusCode ?? 500);
    if (status === 429) return sendPage(reply, rateLimitedPage(Number(reply.getHeader('retry-after')) || undefined));
    if (status === 403) return sendPage(reply, forbiddenFormPage());
    if (status >= 400 && status < 500) return sendPage(reply, { ...badRequestPage(), status });
    if (err instanceof GoogleError) {
      pageFailures.write('warn', `page|${err.kind}|${err.message}`, { err }, 'Google failed during a browser request');
      return sendPage(reply, googleFailedPage(err.kind));
    }
    request.log.error({ err }, 'unhandled error');
    return sendPage(reply, internalErrorPage(request.id));
  });

  auth.setNotFoundHandler((request, reply) => {
    const allow = request.server.allowedMethods(pathOf(request));
    if (allow) return sendPage(reply.header('allow', allow), methodNotAllowedPage());
    return sendPage(reply, notFoundPage());
  });
}
