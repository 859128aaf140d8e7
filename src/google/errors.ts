import * as client from 'openid-client';

/**
 * What went wrong at Google, in the only terms the rest of the service needs:
 * - `invalid_grant`: Google refused the grant (revoked, expired, password change): reconnect;
 * - `misconfigured`: `invalid_client` / `unauthorized_client`: our client credentials are wrong;
 * - `unavailable`: time-out, refused connection, 5xx or 429: try again later, nothing is lost;
 * - `invalid_response`: an answer that fails validation (ID token signature, nonce, issuer …);
 * - `rejected`: any other OAuth error Google returned.
 */
export type GoogleFailureKind = 'invalid_grant' | 'misconfigured' | 'unavailable' | 'invalid_response' | 'rejected';

export class GoogleError extends Error {
  constructor(
    readonly kind: GoogleFailureKind,
    message: string,
    /** Google's OAuth `error` code, when it sent one. */
    readonly oauthError?: string,
    /** Seconds Google asked us to wait (429/503 Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GoogleError';
  }
}

const retryAfterOf = (res: unknown) => {
  const value = res instanceof Response ? Number(res.headers.get('retry-after')) : NaN;
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

/** The one boundary where every openid-client / network failure becomes a GoogleError. */
export function classifyGoogleFailure(err: unknown, operation: string): GoogleError {
  if (err instanceof GoogleError) return err;
  if (err instanceof client.ResponseBodyError) {
    const retry = retryAfterOf(err.response);
    if (err.status >= 500 || err.status === 429) return new GoogleError('unavailable', `${operation}: Google answered HTTP ${err.status}`, err.error, retry);
    if (err.error === 'invalid_grant') return new GoogleError('invalid_grant', `${operation}: Google refused the grant (invalid_grant)`, err.error);
    if (err.error === 'invalid_client' || err.error === 'unauthorized_client') {
      return new GoogleError('misconfigured', `${operation}: Google rejected our OAuth client (${err.error})`, err.error);
    }
    return new GoogleError('rejected', `${operation}: Google answered ${err.error}`, err.error);
  }
  if (err instanceof client.ClientError) {
    const status = err.cause instanceof Response ? err.cause.status : undefined;
    if (err.code === 'OAUTH_TIMEOUT') return new GoogleError('unavailable', `${operation}: Google timed out`);
    if (status !== undefined && (status >= 500 || status === 429)) {
      return new GoogleError('unavailable', `${operation}: Google answered HTTP ${status}`, undefined, retryAfterOf(err.cause));
    }
    if (status === 401) return new GoogleError('misconfigured', `${operation}: Google rejected our OAuth client (HTTP 401)`);
    return new GoogleError('invalid_response', `${operation}: ${err.message}`);
  }
  // fetch() failures (undici says 'fetch failed'): refused connection, DNS, reset, TLS.
  if ((err instanceof TypeError && err.message === 'fetch failed') || (err instanceof Error && err.name === 'TimeoutError')) {
    return new GoogleError('unavailable', `${operation}: Google is unreachable`);
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    const kind = err.status === 401 ? 'misconfigured' : err.status >= 500 || err.status === 429 ? 'unavailable' : 'rejected';
    return new GoogleError(kind, `${operation}: Google answered HTTP ${err.status} with an authentication challenge`);
  }
  if (err instanceof client.AuthorizationResponseError) return new GoogleError('rejected', `${operation}: ${err.error}`, err.error);
  return new GoogleError('invalid_response', `${operation}: ${err instanceof Error ? err.message : String(err)}`);
}
