import * as client from 'openid-client';
import { ExpectedError } from '../errors/expected.js';
import { networkCause } from '../errors/network-cause.js';

/**
 * What went wrong at Google, in the only terms the rest of the service needs:
 * - `invalid_grant`: Google refused the grant (revoked, expired, password change): reconnect;
 * - `misconfigured`: `invalid_client` / `unauthorized_client`: our client credentials are wrong;
 * - `unavailable`: time-out, refused connection, 5xx or 429: try again later, nothing is lost;
 * - `invalid_response`: an answer that fails validation (ID token signature, nonce, issuer …);
 * - `rejected`: any other OAuth error Google returned.
 */
export type GoogleFailureKind = 'invalid_grant' | 'misconfigured' | 'unavailable' | 'invalid_response' | 'rejected';

/** Why Google is `unavailable`: only server errors and broken connections are worth an immediate retry. */
export type UnavailableReason = 'server_error' | 'unreachable' | 'timeout' | 'rate_limited' | 'busy';

export interface GoogleErrorDetails {
  /** Google's OAuth `error` code, when it sent one. */
  oauthError?: string | undefined;
  /** Seconds Google asked us to wait (429/503 Retry-After). */
  retryAfterSeconds?: number | undefined;
  /** Set with kind `unavailable`. */
  reason?: UnavailableReason;
  /** The network or TLS cause of an unreachable Google (e.g. `CERT_HAS_EXPIRED: certificate has expired`). */
  cause?: string | undefined;
}

export class GoogleError extends ExpectedError {
  readonly oauthError: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly reason: UnavailableReason | undefined;
  /** Why Google could not be reached, in a few words (a string, never a library object). */
  readonly networkCause: string | undefined;

  constructor(
    readonly kind: GoogleFailureKind,
    message: string,
    details: GoogleErrorDetails = {},
  ) {
    super(message);
    this.name = 'GoogleError';
    this.oauthError = details.oauthError;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.reason = details.reason;
    this.networkCause = details.cause;
  }
}

const unavailableByStatus = (operation: string, status: number, retryAfterSeconds: number | undefined, oauthError?: string) =>
  new GoogleError('unavailable', `${operation}: Google answered HTTP ${status}`, {
    oauthError,
    retryAfterSeconds,
    reason: status === 429 ? 'rate_limited' : 'server_error',
  });

/** Retry-After in seconds: delta-seconds, or an HTTP date (RFC 9110 §10.2.3). */
const retryAfterOf = (res: unknown) => {
  const header = res instanceof Response ? res.headers.get('retry-after')?.trim() : undefined;
  if (!header) return undefined;
  const value = /^\d+$/.test(header) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
};

/** The one boundary where every openid-client / network failure becomes a GoogleError. */
export function classifyGoogleFailure(err: unknown, operation: string): GoogleError {
  if (err instanceof GoogleError) return err;
  if (err instanceof client.ResponseBodyError) {
    const retry = retryAfterOf(err.response);
    if (err.status >= 500 || err.status === 429) return unavailableByStatus(operation, err.status, retry, err.error);
    const oauthError = err.error;
    if (oauthError === 'invalid_grant') return new GoogleError('invalid_grant', `${operation}: Google refused the grant (invalid_grant)`, { oauthError });
    if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client') {
      return new GoogleError('misconfigured', `${operation}: Google rejected our OAuth client (${oauthError})`, { oauthError });
    }
    return new GoogleError('rejected', `${operation}: Google answered ${oauthError}`, { oauthError });
  }
  if (err instanceof client.ClientError) {
    const status = err.cause instanceof Response ? err.cause.status : undefined;
    if (err.code === 'OAUTH_TIMEOUT') return new GoogleError('unavailable', `${operation}: Google timed out`, { reason: 'timeout' });
    if (status !== undefined && (status >= 500 || status === 429)) return unavailableByStatus(operation, status, retryAfterOf(err.cause));
    if (status === 401) return new GoogleError('misconfigured', `${operation}: Google rejected our OAuth client (HTTP 401)`);
    return new GoogleError('invalid_response', `${operation}: ${err.message}`);
  }
  // fetch() failures (undici says 'fetch failed'): refused connection, DNS, reset, TLS.
  if (err instanceof Error && err.name === 'TimeoutError') return new GoogleError('unavailable', `${operation}: Google timed out`, { reason: 'timeout' });
  if (err instanceof TypeError && err.message === 'fetch failed') {
    const cause = networkCause(err);
    return new GoogleError('unavailable', `${operation}: Google is unreachable${cause ? ` (${cause})` : ''}`, { reason: 'unreachable', cause });
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    if (err.status >= 500 || err.status === 429) return unavailableByStatus(operation, err.status, undefined);
    const kind = err.status === 401 ? 'misconfigured' : 'rejected';
    return new GoogleError(kind, `${operation}: Google answered HTTP ${err.status} with an authentication challenge`);
  }
  if (err instanceof client.AuthorizationResponseError) return new GoogleError('rejected', `${operation}: ${err.error}`, { oauthError: err.error });
  return new GoogleError('invalid_response', `${operation}: ${err instanceof Error ? err.message : String(err)}`);
}
