import type { FastifyReply } from 'fastify';

/** The OAuth error codes the emulator answers with (RFC 6749 §5.2, RFC 7009 §2.2.1, plus Google's). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'unsupported_token_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'rate_limit_exceeded';

const STATUS: Readonly<Record<OAuthErrorCode, number>> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_token: 400,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  rate_limit_exceeded: 429,
};

/** Thrown by handlers; the plugin's error handler turns it into `{error, error_description}`. */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;

  constructor(code: OAuthErrorCode, description: string, status: number = STATUS[code]) {
    super(description);
    this.name = 'OAuthError';
    this.code = code;
    this.status = status;
  }
}

/**
 * The one serializer for OAuth JSON errors. No `WWW-Authenticate` on 401 `invalid_client`,
 * like Google: openid-client would otherwise report a challenge instead of the error code.
 */
export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({ error: error.code, error_description: error.message });
}

/** Google API (googleapis.com) error bodies, as the Gmail API returns them. */
export function sendGoogleApiError(reply: FastifyReply, status: 401 | 403, requiredScopes: readonly string[]): FastifyReply {
  if (status === 401) {
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"')
      .send({
        error: {
          code: 401,
          message:
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
          status: 'UNAUTHENTICATED',
        },
      });
  }
  return reply
    .code(403)
    .header('www-authenticate', `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${requiredScopes.join(' ')}"`)
    .send({
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
            metadata: { service: 'gmail.googleapis.com', method: 'caribou.api.proto.MailboxService.GetProfile' },
          },
        ],
      },
    });
}
