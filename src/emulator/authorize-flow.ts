import type { AuthorizationRequest, ConsentDecision } from './codes.js';
import type { EmulatorContext } from './context.js';
import { OPENID, canonicalScope, isSignInScope } from './scopes.js';

export interface UserAnswer {
  allow: boolean;
  email: string;
  /** Optional scopes left ticked on the consent page; undefined when no page was shown (all kept). */
  ticked?: readonly string[];
}

/** RFC 6749 §4.1.2.1 error response, with the RFC 9207 `iss` parameter Google also sends. */
export function errorRedirect(ctx: EmulatorContext, redirectUri: string, state: string | undefined, error: string, description?: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  if (description) url.searchParams.set('error_description', description);
  if (state !== undefined) url.searchParams.set('state', state);
  url.searchParams.set('iss', ctx.issuer());
  return url.href;
}

/**
 * Turns the user's answer (and any test decision) into the redirect back to the client:
 * `access_denied`, or a fresh code for the scopes the user kept (Google's granular consent).
 */
export function answerAuthorization(
  ctx: EmulatorContext,
  request: AuthorizationRequest,
  decision: ConsentDecision | undefined,
  answer: UserAnswer,
): string {
  if (!answer.allow || decision?.deny) {
    return errorRedirect(ctx, request.redirectUri, request.state, 'access_denied', 'The user denied access.');
  }
  const scopes = grantedScopes(request, decision, answer.ticked);
  const account = ctx.accounts.get(answer.email);
  const code = ctx.codes.issueCode(request, account, scopes, ctx.options.codeTtlSeconds);
  const url = new URL(request.redirectUri);
  url.searchParams.set('code', code);
  url.searchParams.set('state', request.state);
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('iss', ctx.issuer());
  return url.href;
}

/** The account a flow signs in with when the user types none: the test's choice, the hint, the default. */
export function accountEmailFor(ctx: EmulatorContext, request: AuthorizationRequest, decision: ConsentDecision | undefined): string {
  return decision?.email ?? request.loginHint ?? ctx.switches.defaultAccount.email;
}

/** True when the account already granted this client every requested scope (what `prompt=none` needs). */
export function alreadyGranted(ctx: EmulatorContext, request: AuthorizationRequest, email: string): boolean {
  const grant = ctx.grants.activeGrant(request.client.clientId, ctx.accounts.get(email));
  return grant !== undefined && request.scopes.every((s) => grant.scopes.has(canonicalScope(s)));
}

function grantedScopes(request: AuthorizationRequest, decision: ConsentDecision | undefined, ticked: readonly string[] | undefined): string[] {
  const withheld = new Set((decision?.withholdScopes ?? []).map(canonicalScope));
  const kept = request.scopes.filter((s) => {
    if (s === OPENID) return true;
    if (withheld.has(canonicalScope(s))) return false;
    return isSignInScope(s) || ticked === undefined || ticked.includes(s);
  });
  return [...new Set(kept.map(canonicalScope))];
}
