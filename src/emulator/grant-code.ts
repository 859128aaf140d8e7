import { createHash } from 'node:crypto';
import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import type { EmulatorClient } from './options.js';
import { constantTimeEqual } from './random.js';
import { buildTokenResponse } from './token-response.js';
import type { TokenResponse } from './token-response.js';

const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6). */
export async function redeemCode(ctx: EmulatorContext, client: EmulatorClient, form: Record<string, string>): Promise<TokenResponse> {
  const code = required(form, 'code');
  const redirectUri = required(form, 'redirect_uri');
  const record = ctx.codes.findCode(code);
  if (!record) throw new OAuthError('invalid_grant', 'Malformed auth code.');
  if (record.request.client.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'The authorization code was issued to another client.');
  if (record.used) {
    // RFC 6749 §4.1.2: a replayed code may be stolen; take back what it already bought.
    for (const token of record.issuedTokens) ctx.grants.revokeToken(token);
    throw new OAuthError('invalid_grant', 'The authorization code has already been used.');
  }
  record.used = true; // one attempt per code, so a verifier cannot be guessed by retrying
  if (ctx.now() >= record.expiresAt) throw new OAuthError('invalid_grant', 'The authorization code has expired.');
  if (redirectUri !== record.request.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request.');
  const verifier = form.code_verifier;
  if (verifier === undefined) throw new OAuthError('invalid_grant', 'Missing code verifier.');
  if (!PKCE_VERIFIER.test(verifier) || !constantTimeEqual(s256(verifier), record.request.codeChallenge)) {
    throw new OAuthError('invalid_grant', 'Invalid code verifier.');
  }

  const existing = ctx.grants.activeGrant(client.clientId, record.account);
  const hadRefreshToken = existing !== undefined && ctx.grants.countLive(existing, 'refresh') > 0;
  const grant = ctx.grants.recordConsent(client.clientId, record.account, record.scopes);
  const scopes = record.request.includeGrantedScopes ? [...grant.scopes] : record.scopes;
  const omit = ctx.switches.omitNextRefreshToken;
  ctx.switches.omitNextRefreshToken = false;
  // Google sends a refresh token for offline access only, and again only if prompt=consent forced a new consent.
  const wantsRefresh = record.request.accessType === 'offline' && (record.request.prompt.includes('consent') || !hadRefreshToken);
  const refreshToken = wantsRefresh && !omit ? ctx.grants.issue('refresh', grant, scopes) : undefined;
  const response = await buildTokenResponse(ctx, { grant, scopes, nonce: record.request.nonce, refreshToken });
  record.issuedTokens.push(response.access_token, ...(refreshToken ? [refreshToken] : []));
  return response;
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function required(form: Record<string, string>, name: string): string {
  const value = form[name];
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `Missing required parameter: ${name}`);
  return value;
}
