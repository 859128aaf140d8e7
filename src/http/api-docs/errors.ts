import { ERROR_STATUS, type ErrorCode } from '../../errors/errors.js';

/**
 * When each error code is answered: one line per code for the OpenAPI document. A Record over
 * every code, so a new code does not compile until it is described here (and in docs/api.md).
 */
export const ERROR_WHEN: Record<ErrorCode, string> = {
  invalid_request: 'the request is malformed (an unknown or invalid query parameter, a body too large)',
  invalid_seren_credentials: 'the `Authorization: Bearer <Seren API key>` header is missing or malformed, or Seren rejects the key',
  seren_account_inactive: 'the Seren user\'s status is not `active`',
  google_not_connected: 'this Seren user has not connected Google; `authorization_url` is where they connect',
  google_reauthorization_required: 'Google refused the stored grant (revoked, expired, password change) or it cannot be decrypted; `authorization_url` reconnects',
  google_insufficient_scope: 'connected, but the grant lacks scopes this publisher needs (`missing_scopes`); `authorization_url` asks for them',
  unknown_publisher: '`publisher` is not in the catalog; `publishers` lists the known slugs',
  not_found: 'no route has this path',
  method_not_allowed: 'the path exists but not with this method; `Allow` lists the methods it answers',
  https_required: 'production behind a trusted proxy: the request did not arrive over HTTPS',
  invalid_metrics_token: '`METRICS_TOKEN` is set and the request does not carry it as a bearer token',
  rate_limited: 'too many requests (per Seren user, or per client address for keys Seren rejected); wait `Retry-After` seconds',
  google_unavailable: 'Google timed out or answered 5xx or 429; the stored grant is untouched; retry after `Retry-After` seconds',
  seren_unavailable: 'the Seren identity service is unreachable, slow, answered 5xx or 429, or answered something unreadable; retry after `Retry-After` seconds',
  service_unavailable: 'this service\'s database is unreachable or too slow, or this instance is shutting down; retry after `Retry-After` seconds',
  google_client_misconfigured: 'Google says `invalid_client` or `unauthorized_client`: the operators must fix the OAuth client; stored grants are untouched',
  internal_error: 'an unexpected failure; it is logged under the response\'s `request_id`',
};

/** Headers that come with some codes. */
const HEADERS_OF: Partial<Record<ErrorCode, Record<string, { description: string; schema: object }>>> = {
  invalid_seren_credentials: { 'WWW-Authenticate': { description: '`Bearer realm="seren-google-auth"`', schema: { type: 'string' } } },
  invalid_metrics_token: { 'WWW-Authenticate': { description: '`Bearer realm="metrics"`', schema: { type: 'string' } } },
  method_not_allowed: { Allow: { description: 'the methods this path answers', schema: { type: 'string' } } },
  rate_limited: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer', minimum: 1 } } },
  google_unavailable: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer', minimum: 1 } } },
  seren_unavailable: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer', minimum: 1 } } },
  service_unavailable: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer', minimum: 1 } } },
};

export const API_ERROR_SCHEMA = 'ApiError';

/** The one error body of every JSON route (SPEC §3). */
export const apiErrorSchema = {
  type: 'object',
  description: 'Every JSON error. `message` is one sentence a person can act on; `request_id` is also the `X-Request-Id` header and is on every log line of the request.',
  required: ['error', 'message', 'request_id'],
  properties: {
    error: { type: 'string', enum: Object.keys(ERROR_STATUS) },
    message: { type: 'string' },
    request_id: { type: 'string' },
    authorization_url: { type: 'string', format: 'uri', description: 'with google_not_connected, google_reauthorization_required, google_insufficient_scope' },
    missing_scopes: { type: 'array', items: { type: 'string' }, description: 'with google_insufficient_scope' },
    publishers: { type: 'array', items: { type: 'string' }, description: 'with unknown_publisher: the known slugs' },
  },
};

/** OpenAPI responses for these codes, grouped by status, each naming its codes and when they happen. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const responses: Record<string, object> = {};
  for (const [status, group] of byStatus) {
    const headers = Object.assign({}, ...group.map((code) => HEADERS_OF[code] ?? {}));
    responses[String(status)] = {
      description: group.map((code) => `\`${code}\`: ${ERROR_WHEN[code]}.`).join(' '),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${API_ERROR_SCHEMA}` } } },
    };
  }
  return responses;
}
