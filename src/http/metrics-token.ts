import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` behind `Authorization: Bearer <METRICS_TOKEN>` when the token is set (SPEC §9).
 * Both sides are hashed first so the comparison is constant-time whatever the lengths.
 */
export function requireMetricsToken(token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async function metricsToken(request: FastifyRequest): Promise<void> {
    if (!expected) return;
    const given = /^Bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return;
    throw new ApiError(
      'invalid_metrics_token',
      'GET /metrics needs the header Authorization: Bearer <METRICS_TOKEN>.',
      {},
      { 'WWW-Authenticate': 'Bearer realm="metrics"' },
    );
  };
}
