import type { EmulatorContext } from './context.js';
import type { Grant } from './grants.js';
import { issueIdToken } from './id-token.js';
import { OPENID } from './scopes.js';

/** A successful token response (RFC 6749 §5.1), with Google's `id_token` and `scope` fields. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
  id_token?: string;
  refresh_token?: string;
}

export interface TokenResponseInput {
  grant: Grant;
  scopes: readonly string[];
  nonce: string | undefined;
  refreshToken: string | undefined;
}

/** Issues the access token (and, for `openid`, an ID token; spoiled if a test asked) for a grant. */
export async function buildTokenResponse(ctx: EmulatorContext, input: TokenResponseInput): Promise<TokenResponse> {
  const ttl = ctx.options.accessTokenTtlSeconds;
  const accessToken = ctx.grants.issue('access', input.grant, input.scopes, ttl);
  const body: TokenResponse = { access_token: accessToken, expires_in: ttl, token_type: 'Bearer', scope: input.scopes.join(' ') };
  if (input.scopes.includes(OPENID)) {
    const tamper = ctx.switches.nextIdTokenTamper;
    ctx.switches.nextIdTokenTamper = undefined;
    const idTokenInput = {
      issuer: ctx.issuer(),
      clientId: input.grant.clientId,
      account: input.grant.account,
      nonce: input.nonce,
      accessToken,
      nowMs: ctx.now(),
    };
    body.id_token = await issueIdToken(ctx.keys, idTokenInput, tamper);
  }
  if (input.refreshToken !== undefined) body.refresh_token = input.refreshToken;
  return body;
}
