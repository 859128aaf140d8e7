import { ExpectedError } from './expected.js';

/** The closed set of API error codes (SPEC §3), each with its HTTP status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_seren_credentials: 401,
  seren_account_inactive: 403,
  google_not_connected: 401,
  google_reauthorization_required: 401,
  google_insufficient_scope: 401,
  unknown_publisher: 400,
  not_found: 404,
  /** Not in SPEC §3's table: a known path asked with another method (`Allow` lists the right ones). */
  method_not_allowed: 405,
  /** Not in SPEC §3's table: production behind a proxy, a request that did not arrive over HTTPS. */
  https_required: 403,
  /** Not in SPEC §3's table: GET /metrics without the METRICS_TOKEN bearer. */
  invalid_metrics_token: 401,
  rate_limited: 429,
  google_unavailable: 503,
  seren_unavailable: 503,
  service_unavailable: 503,
  google_client_misconfigured: 500,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Seconds a client should wait before retrying a temporary upstream failure. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * An error the API may show as is: a SPEC code, one sentence a person can act on, and any extra
 * fields or headers the SPEC lists for that code. Anything else leaves as a generic 500.
 */
export class ApiError extends ExpectedError {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
    /** What an upstream answered (`HTTP 503`, `ECONNREFUSED: …`): for the log, never sent. */
    readonly networkCause?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  toJSON() {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

export const retryAfter = (seconds = DEFAULT_RETRY_AFTER_SECONDS) => ({ 'Retry-After': String(Math.max(1, Math.ceil(seconds))) });
