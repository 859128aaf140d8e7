import * as client from 'openid-client';
import { fetchOver } from '../net/fetch-adapter.js';
import { HttpClient } from '../net/http-client.js';
import { GoogleError, classifyGoogleFailure } from './errors.js';

export interface GoogleClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Seconds before an outbound call to Google is abandoned. */
  timeoutSeconds?: number;
  /** Kept-alive connections to share with other clients (one of its own otherwise). */
  http?: HttpClient;
}

/** What a code redemption yields once openid-client has checked state, PKCE and the ID token. */
export interface RedeemedGrant {
  accessToken: string;
  expiresInSeconds: number;
  /** The scopes Google says it granted (the token response's `scope`). */
  grantedScopes: string[];
  refreshToken: string | undefined;
  googleSubject: string;
  googleEmail: string | undefined;
}

export interface RefreshedToken {
  accessToken: string;
  expiresInSeconds: number;
  grantedScopes: string[] | undefined;
  /** Set when Google rotated the refresh token. */
  refreshToken: string | undefined;
}

export interface AuthorizationRequest {
  scopes: readonly string[];
  state: string;
  nonce: string;
  codeChallenge: string;
  loginHint?: string | undefined;
}

/**
 * Each call to Google is abandoned after this. Deliberately longer than an exchange's deadline
 * (tokens/deadline.ts): the exchange answers at its deadline while the refresh goes on, because
 * abandoning a refresh Google is still processing can lose the refresh token it rotates.
 */
const DEFAULT_TIMEOUT_SECONDS = 10;
const DISCOVERY_RETRY_MS = [250, 1_000, 2_000, 5_000, 10_000];

/**
 * Google (or any OpenID provider) through panva's openid-client: discovery, the authorization
 * URL, code redemption with PKCE and a verified ID token, refresh and revocation. Every failure
 * leaves as a GoogleError (errors.ts).
 */
export class GoogleClient {
  private config: client.Configuration | undefined;
  private loading: Promise<client.Configuration> | undefined;
  /** openid-client's calls go over kept-alive node:http connections, each with a deadline and no timer of its own. */
  private readonly fetch: ReturnType<typeof fetchOver>;

  constructor(private readonly opts: GoogleClientOptions) {
    this.fetch = fetchOver(opts.http ?? new HttpClient(), (opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
  }

  get issuer(): string {
    return this.opts.issuer;
  }

  /** True once discovery has loaded (GET /ready). */
  get ready(): boolean {
    return this.config !== undefined;
  }

  /** Loads discovery, sharing one attempt among concurrent callers. */
  async discover(): Promise<client.Configuration> {
    if (this.config) return this.config;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** Keeps retrying discovery in the background until it loads or `signal` aborts. */
  async discoverWithRetries(signal: AbortSignal, onRetry?: (err: GoogleError, delayMs: number) => void): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await this.discover();
        return;
      } catch (err) {
        const delay = DISCOVERY_RETRY_MS[Math.min(attempt, DISCOVERY_RETRY_MS.length - 1)]!;
        onRetry?.(err as GoogleError, delay);
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  private async load(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.opts;
    const insecure = issuer.startsWith('http://');
    try {
      const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), {
        timeout: this.opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        // http:// issuers are only accepted outside strict mode (config checks that); loopback emulator.
        execute: insecure ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks],
        [client.customFetch]: this.fetch,
      });
      // No AbortSignal.timeout per call from now on: the fetch adapter gives each call its deadline.
      config.timeout = 0;
      this.config = config;
      return config;
    } catch (err) {
      throw classifyGoogleFailure(err, 'discovery');
    }
  }

  /** The authorization endpoint URL with exactly the parameters of SPEC §4. */
  async authorizationUrl(req: AuthorizationRequest): Promise<URL> {
    const params: Record<string, string> = {
      response_type: 'code',
      redirect_uri: this.opts.redirectUri,
      scope: req.scopes.join(' '),
      state: req.state,
      nonce: req.nonce,
      code_challenge: req.codeChallenge,
      code_challenge_method: 'S256',
      access_type: 'offline',
      include_granted_scopes: 'true',
      prompt: 'consent',
    };
    if (req.loginHint) params.login_hint = req.loginHint;
    return client.buildAuthorizationUrl(await this.discover(), params);
  }

  /** Redeems the code in `callbackQuery`, checking state, PKCE and the ID token (signature, iss, aud, nonce, exp). */
  async redeemCode(callbackQuery: URLSearchParams, checks: { state: string; nonce: string; codeVerifier: string }): Promise<RedeemedGrant> {
    const currentUrl = new URL(this.opts.redirectUri);
    currentUrl.search = callbackQuery.toString();
    try {
      const tokens = await client.authorizationCodeGrant(await this.discover(), currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new GoogleError('invalid_response', 'code redemption: no ID token');
      return {
        accessToken: tokens.access_token,
        expiresInSeconds: requireLifetime(tokens.expires_in),
        grantedScopes: scopesOf(tokens.scope) ?? [],
        refreshToken: tokens.refresh_token,
        googleSubject: claims.sub,
        googleEmail: typeof claims.email === 'string' ? claims.email : undefined,
      };
    } catch (err) {
      throw classifyGoogleFailure(err, 'code redemption');
    }
  }

  async refresh(refreshToken: string): Promise<RefreshedToken> {
    try {
      const tokens = await client.refreshTokenGrant(await this.discover(), refreshToken);
      return {
        accessToken: tokens.access_token,
        expiresInSeconds: requireLifetime(tokens.expires_in),
        grantedScopes: scopesOf(tokens.scope),
        refreshToken: tokens.refresh_token,
      };
    } catch (err) {
      throw classifyGoogleFailure(err, 'refresh');
    }
  }

  /** Revokes the grant at Google (RFC 7009); revoking a refresh token ends the whole grant. */
  async revoke(token: string): Promise<void> {
    try {
      await client.tokenRevocation(await this.discover(), token);
    } catch (err) {
      throw classifyGoogleFailure(err, 'revocation');
    }
  }
}

const scopesOf = (scope: string | undefined) => (scope ? scope.split(' ').filter(Boolean) : undefined);

function requireLifetime(expiresIn: number | undefined): number {
  if (expiresIn === undefined || !(expiresIn > 0)) throw new GoogleError('invalid_response', 'token response without a positive expires_in');
  return expiresIn;
}
