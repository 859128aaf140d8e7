import type { AuthorizationRequest } from './codes.js';
import type { EmulatorContext } from './context.js';
import { isAbsoluteHttpUrl, isEmail } from './options.js';
import { OPENID, parseScopeParam } from './scopes.js';

/** The outcome of checking an authorization request (RFC 6749 §4.1.1, §4.1.2.1). */
export type AuthorizeCheck =
  /** Client or redirect URI cannot be trusted: show an error page, never redirect. */
  | { kind: 'page_error'; error: string; description: string }
  /** Redirect the error back to the (validated) redirect URI. */
  | { kind: 'redirect_error'; redirectUri: string; state: string | undefined; error: string; description: string }
  | { kind: 'ok'; request: AuthorizationRequest };

const PKCE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;
const PROMPTS = new Set(['none', 'consent', 'select_account']);

type Query = Record<string, unknown>;

export function checkAuthorizationRequest(ctx: EmulatorContext, query: Query): AuthorizeCheck {
  const duplicated = Object.keys(query).find((k) => Array.isArray(query[k]));
  const clientId = single(query, 'client_id');
  const client = ctx.options.clients.find((c) => c.clientId === clientId);
  if (!client) return pageError('invalid_client', 'The OAuth client was not found.');
  const redirectUri = single(query, 'redirect_uri');
  if (redirectUri === undefined || !isAbsoluteHttpUrl(redirectUri)) {
    return pageError('invalid_request', 'Missing or malformed required parameter: redirect_uri');
  }
  if (client.redirectUris && !client.redirectUris.includes(redirectUri)) {
    return pageError('redirect_uri_mismatch', `The redirect URI in the request does not match the ones authorized for the OAuth client ${client.clientId}.`);
  }

  const state = single(query, 'state');
  const fail = (error: string, description: string): AuthorizeCheck => ({ kind: 'redirect_error', redirectUri, state, error, description });
  if (duplicated) return fail('invalid_request', `Parameter included more than once: ${duplicated}`);
  if (single(query, 'response_type') !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  const scopeParam = single(query, 'scope');
  const scopes = scopeParam === undefined ? undefined : parseScopeParam(scopeParam);
  if (!scopes || scopes.length === 0) return fail('invalid_request', 'Missing required parameter: scope');
  if (!scopes.includes(OPENID)) return fail('invalid_scope', 'The scope must include openid.');
  if (!state) return fail('invalid_request', 'Missing required parameter: state');
  const codeChallenge = single(query, 'code_challenge');
  if (codeChallenge === undefined || !PKCE_CHALLENGE.test(codeChallenge)) {
    return fail('invalid_request', 'Missing or malformed required parameter: code_challenge (PKCE is required)');
  }
  if (single(query, 'code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
  const accessType = single(query, 'access_type') ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline') return fail('invalid_request', 'access_type must be online or offline.');
  const prompt = (single(query, 'prompt') ?? '').split(' ').filter((p) => p !== '');
  if (!prompt.every((p) => PROMPTS.has(p)) || (prompt.includes('none') && prompt.length > 1)) {
    return fail('invalid_request', 'Invalid prompt value.');
  }
  const includeGranted = single(query, 'include_granted_scopes') ?? 'false';
  if (includeGranted !== 'true' && includeGranted !== 'false') return fail('invalid_request', 'include_granted_scopes must be true or false.');
  const loginHint = single(query, 'login_hint');

  return {
    kind: 'ok',
    request: Object.freeze({
      client,
      redirectUri,
      scopes,
      state,
      nonce: single(query, 'nonce'),
      codeChallenge,
      accessType,
      prompt,
      includeGrantedScopes: includeGranted === 'true',
      loginHint: loginHint !== undefined && isEmail(loginHint) ? loginHint : undefined,
    }),
  };
}

function pageError(error: string, description: string): AuthorizeCheck {
  return { kind: 'page_error', error, description };
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}
