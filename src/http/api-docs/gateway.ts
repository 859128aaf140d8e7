import type { ErrorCode } from '../../errors/errors.js';
import { JSON_TYPE, type OperationDoc } from './operation.js';

/** What every bearer route can answer before it does its own work (SPEC §3, §5). */
const BEARER_ERRORS: readonly ErrorCode[] = [
  'invalid_request', 'invalid_seren_credentials', 'seren_account_inactive', 'https_required', 'rate_limited', 'seren_unavailable',
  'service_unavailable', 'internal_error',
];

const CONNECT_ERRORS: readonly ErrorCode[] = ['google_not_connected', 'google_reauthorization_required', 'google_insufficient_scope'];

const publisherQuery = { publisher: { description: 'a publisher slug from the catalog (e.g. `gmail`); absent: every scope the user granted' } };

export const GATEWAY_OPERATIONS: Record<string, OperationDoc> = {
  'POST /token/exchange': {
    operationId: 'exchangeToken',
    summary: 'A Google access token for the caller\'s Seren user',
    description:
      'Called by the Seren gateway with the agent\'s Seren API key; the body is ignored. `expires_in` is the token\'s true remaining life minus 60 s; ' +
      'with `publisher`, the token lives at least that publisher\'s `token_cache_ttl_seconds` + 60 s. The three "connect" errors carry `authorization_url`, a one-time link for the user.',
    tag: 'gateway',
    security: 'serenApiKey',
    query: publisherQuery,
    responses: { '200': { description: 'A Google access token carrying every scope the user granted.', content: JSON_TYPE } },
    errors: [...BEARER_ERRORS, ...CONNECT_ERRORS, 'unknown_publisher', 'google_unavailable', 'google_client_misconfigured'],
  },
  'POST /token/connect-link': {
    operationId: 'createConnectLink',
    summary: 'A one-time link for the user to connect Google before the first call',
    tag: 'gateway',
    security: 'serenApiKey',
    query: publisherQuery,
    responses: {
      '200': {
        description: 'The link and how long it works.',
        content: JSON_TYPE,
        schema: {
          type: 'object',
          required: ['authorization_url', 'expires_in'],
          properties: { authorization_url: { type: 'string', format: 'uri' }, expires_in: { type: 'integer', description: 'seconds' } },
        },
      },
    },
    errors: [...BEARER_ERRORS, 'unknown_publisher'],
  },
  'GET /token/status': {
    operationId: 'getConnectionStatus',
    summary: 'The user\'s Google connection and what each publisher can do with it',
    tag: 'gateway',
    security: 'serenApiKey',
    responses: {
      '200': {
        description: 'Connected (with the granted scopes and per-publisher authorization), or `{"connected": false, "message": …}`.',
        content: JSON_TYPE,
        schema: {
          type: 'object',
          required: ['connected'],
          properties: {
            connected: { type: 'boolean' },
            status: { type: 'string', enum: ['active', 'reauthorization_required'] },
            message: { type: 'string' },
            google_email: { type: 'string', nullable: true },
            scopes: { type: 'array', items: { type: 'string' } },
            connected_at: { type: 'string', format: 'date-time' },
            last_refreshed_at: { type: 'string', format: 'date-time', nullable: true },
            publishers: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                required: ['authorized'],
                properties: { authorized: { type: 'boolean' }, missing_scopes: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
    errors: BEARER_ERRORS,
  },
  'DELETE /token/revoke': {
    operationId: 'disconnectGoogle',
    summary: 'Disconnect Google now, then revoke the grant at Google',
    description:
      'The connection stops working at once. The grant is then revoked at Google (`done`), retried in the background for up to 24 h when Google ' +
      'cannot be reached (`pending`), or left alone when another Seren user\'s connection shares the Google account (`skipped`). The body is ignored.',
    tag: 'gateway',
    security: 'serenApiKey',
    responses: {
      '200': {
        description: '`{"status": "disconnected", "google_revocation": …}`, or `{"status": "not_found"}` when nothing was connected.',
        content: JSON_TYPE,
        schema: {
          type: 'object',
          required: ['status'],
          properties: {
            status: { type: 'string', enum: ['disconnected', 'not_found'] },
            google_revocation: { type: 'string', enum: ['done', 'pending', 'skipped'] },
            message: { type: 'string' },
          },
        },
      },
    },
    errors: BEARER_ERRORS,
  },
};
