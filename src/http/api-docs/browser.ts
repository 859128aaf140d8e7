import type { ErrorCode } from '../../errors/errors.js';
import { HTML, type OperationDoc } from './operation.js';

const page = (description: string) => ({ description, content: HTML });
const TOO_MANY = page('Too many requests from this address (`AUTH_RATE_LIMIT_PER_MINUTE`); the page says when to retry.');
const BROKEN = page('Something failed on our side; the page shows the request id to quote.');
const UNAVAILABLE = page('The database cannot be reached, or this instance is shutting down; the page asks to retry in a moment.');
const UNAVAILABLE_OR_GOOGLE = page(
  'Google cannot be reached (the link was not used), the database cannot be reached, or this instance is shutting down; the page asks to retry in a moment.',
);
const PLAIN_HTTP: readonly ErrorCode[] = ['https_required'];
/** Outside /auth, pages answer the JSON errors (plain HTTP behind a proxy, shutdown). */
const ROOT_ERRORS: readonly ErrorCode[] = ['https_required', 'service_unavailable'];

export const BROWSER_OPERATIONS: Record<string, OperationDoc> = {
  'GET /auth/google': {
    operationId: 'showConfirmPage',
    summary: 'The confirmation page of an authorization link',
    description: 'Shows which Seren account Google will be linked to and which permissions are requested. Opening it consumes nothing.',
    tag: 'browser',
    security: 'none',
    query: { seren_token: { description: 'the connect token of the authorization link', required: true } },
    responses: {
      '200': page('The confirmation page with Continue and Cancel.'),
      '400': page('The link is incomplete or not valid; the page says how to get a new one.'),
      '410': page('The link has expired or was used; the page says how to get a new one.'),
      '429': TOO_MANY,
      '500': BROKEN,
      '503': UNAVAILABLE_OR_GOOGLE,
    },
    errors: PLAIN_HTTP,
  },
  'POST /auth/google': {
    operationId: 'startGoogleAuthorization',
    summary: 'Continue: consume the link and go to Google',
    description:
      'Form fields `seren_token` and `_csrf`. Consumes the connect token and answers 303 to Google\'s authorization endpoint (PKCE S256, state, nonce, ' +
      '`access_type=offline`, `prompt=consent`), setting the cookie that binds the flow to this browser.',
    tag: 'browser',
    security: 'none',
    responses: {
      '303': { description: 'To Google\'s authorization endpoint.', headers: { Location: 'the authorization URL', 'Set-Cookie': 'the flow cookie (HttpOnly, SameSite=Lax; `__Host-` over HTTPS)' } },
      '400': page('The link is incomplete or not valid.'),
      '403': page('The form did not come from our page (CSRF token or origin); the link was not used.'),
      '410': page('The link has expired or was used.'),
      '429': TOO_MANY,
      '500': BROKEN,
      '503': UNAVAILABLE_OR_GOOGLE,
    },
    errors: PLAIN_HTTP,
  },
  'GET /auth/google/callback': {
    operationId: 'completeGoogleAuthorization',
    summary: 'Google\'s answer: redeem the code and store the grant',
    tag: 'browser',
    security: 'none',
    query: {
      state: { description: 'the state of the flow this browser started', required: true },
      code: { description: 'the authorization code, when the user consented' },
      error: { description: 'Google\'s error, e.g. `access_denied` when the user declined' },
    },
    responses: {
      '200': page('Connected (naming the Google account and what was granted), partly connected (what is missing, with a button to ask again), or declined (nothing stored).'),
      '400': page('The callback was not accepted (bad, expired or replayed state, or no flow cookie); nothing was stored.'),
      '409': page(
        'Signed in at Google with another account than the one this Seren user is linked to (a connection never switches accounts): nothing was stored; ' +
          'the page names the linked account masked and says how to switch on purpose (disconnect, then connect).',
      ),
      '429': TOO_MANY,
      '500': BROKEN,
      '502': page('Google failed to redeem the code or answered an error; nothing was stored.'),
      '503': UNAVAILABLE,
    },
    errors: PLAIN_HTTP,
  },
  'GET /auth/google/cancel': {
    operationId: 'cancelGoogleAuthorization',
    summary: 'Cancel: nothing is connected; the link expires on its own',
    tag: 'browser',
    security: 'none',
    responses: { '200': page('Says that nothing was connected.'), '429': TOO_MANY, '503': UNAVAILABLE },
    errors: PLAIN_HTTP,
  },
  'GET /': {
    operationId: 'showLandingPage',
    summary: 'What this service is, for a person who opens its address',
    tag: 'browser',
    security: 'none',
    responses: { '200': page('The landing page.') },
    errors: ROOT_ERRORS,
  },
  'GET /privacy': {
    operationId: 'showYourDataPage',
    summary: 'For the person connected: how to disconnect, and what this service keeps',
    tag: 'browser',
    security: 'none',
    responses: { '200': page('The page.') },
    errors: ROOT_ERRORS,
  },
  'GET /assets/style.css': {
    operationId: 'getStylesheet',
    summary: 'The pages\' stylesheet',
    tag: 'browser',
    security: 'none',
    responses: { '200': { description: 'CSS.', content: 'text/css' } },
    errors: ROOT_ERRORS,
  },
  'GET /assets/icon.svg': {
    operationId: 'getIcon',
    summary: 'The pages\' icon',
    tag: 'browser',
    security: 'none',
    responses: { '200': { description: 'SVG.', content: 'image/svg+xml' } },
    errors: ROOT_ERRORS,
  },
};
