import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import type { EmulatorClient } from './options.js';
import { canonicalScope, parseScopeParam } from './scopes.js';
import { buildTokenResponse } from './token-response.js';
import type { TokenResponse } from './token-response.js';

const EXPIRED_OR_REVOKED = 'Token has been expired or revoked.';

/** `grant_type=refresh_token` (RFC 6749 §6); rotates the refresh token only when the test switch says so. */
export async function refresh(ctx: EmulatorContext, client: EmulatorClient, form: Record<string, string>): Promise<TokenResponse> {
  const token = form.refresh_token;
  if (!token) throw new OAuthError('invalid_request', 'Missing required parameter: refresh_token');
  const record = ctx.grants.find(token);
  if (!record || record.kind !== 'refresh' || ctx.grants.stateOf(record) !== 'active' || record.grant.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', EXPIRED_OR_REVOKED);
  }
  const scopes = narrowScopes(record.scopes, form.scope);
  let refreshToken: string | undefined;
  if (ctx.switches.rotateRefreshTokens) {
    refreshToken = ctx.grants.issue('refresh', record.grant, record.scopes);
    ctx.grants.revokeToken(token);
  }
  return buildTokenResponse(ctx, { grant: record.grant, scopes, nonce: undefined, refreshToken });
}

/** RFC 6749 §6: a `scope` on refresh may only narrow what was granted. */
function narrowScopes(granted: readonly string[], requested: string | undefined): readonly string[] {
  if (requested === undefined) return granted;
  const scopes = parseScopeParam(requested)?.map(canonicalScope);
  if (!scopes || scopes.length === 0 || !scopes.every((s) => granted.includes(s))) {
    throw new OAuthError('invalid_scope', 'The requested scope exceeds the scope granted.');
  }
  return scopes;
}
