import { JSON_TYPE, type OperationDoc } from './operation.js';

/** RFC 8935 §2.4's error body, which Google's push delivery expects instead of ApiError. */
const setError = {
  type: 'object',
  required: ['err', 'description'],
  properties: {
    err: {
      type: 'string',
      description: '`invalid_request`, `invalid_key`, `invalid_issuer`, `invalid_audience` or `authentication_failed` (400); `invalid_request` (413); `rate_limited` (429); `temporarily_unavailable` (503); `internal_error` (500)',
    },
    description: { type: 'string' },
    request_id: { type: 'string' },
  },
};

const retryAfter = { 'Retry-After': 'seconds to wait' };

export const RISC_OPERATIONS: Record<string, OperationDoc> = {
  'POST /risc/events': {
    operationId: 'receiveSecurityEvent',
    summary: 'Receive a Google security event (Cross-Account Protection, RFC 8935 push)',
    description:
      'Google pushes one signed Security Event Token (RFC 8417) as the body, `Content-Type: application/secevent+jwt`. No bearer: the SET is ' +
      'verified against the keys of `$GOOGLE_ISSUER/.well-known/risc-configuration` (issuer, audience = GOOGLE_CLIENT_ID, `iat` within a day, ' +
      'a new `jti`). Account-level revocations make every grant of the Google account `reauthorization_required` at once, on every instance. See docs/risc.md.',
    tag: 'risc',
    security: 'none',
    responses: {
      '202': { description: 'Accepted, whatever it says; a SET received before (same `jti`) is acknowledged and ignored. Empty body.' },
      '400': { description: 'The SET failed a check (RFC 8935 error code); nothing changed.', content: JSON_TYPE, schema: setError },
      '413': { description: 'The body is far larger than a SET (16 KiB).', content: JSON_TYPE, schema: setError },
      '429': { description: 'Too many requests from this address.', content: JSON_TYPE, schema: setError, headers: retryAfter },
      '500': { description: 'An unexpected failure, logged under `request_id`; Google delivers again.', content: JSON_TYPE, schema: setError },
      '503': { description: "Google's RISC configuration or keys, or this service's database, are unavailable; Google delivers again.", content: JSON_TYPE, schema: setError, headers: retryAfter },
    },
    errors: ['https_required'],
  },
  'GET /risc/verification': {
    operationId: 'getRiscVerification',
    summary: 'Whether the verification event with this state has arrived (for `risc verify`)',
    description: '`seren-google-auth risc verify` chooses a random state, asks Google for a verification event carrying it, and polls here until it has been received and verified.',
    tag: 'risc',
    security: 'none',
    query: { state: { description: 'the state given to Google\'s `stream:verify`', required: true } },
    responses: {
      '200': {
        description: 'Received and verified.',
        content: JSON_TYPE,
        schema: { type: 'object', required: ['state', 'received_at'], properties: { state: { type: 'string' }, received_at: { type: 'string', format: 'date-time' } } },
      },
    },
    errors: ['not_found', 'invalid_request', 'rate_limited', 'https_required', 'service_unavailable', 'internal_error'],
  },
};
