import type { FastifyInstance } from 'fastify';
import { liveAccessToken } from './bearer.js';
import { PATHS } from './context.js';
import type { EmulatorContext } from './context.js';
import { sendGoogleApiError } from './errors.js';
import { gate } from './gate.js';
import { sha256 } from './random.js';
import { GMAIL_SCOPES, USERINFO_EMAIL, hasGmailScope } from './scopes.js';

/** Protected resources: OIDC userinfo and the one Gmail call the broker's demo needs. */
export function registerResourceRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get(PATHS.userinfo, { preHandler: gate(ctx, () => ['userinfo'], 'userinfo') }, async (req, reply) => {
    const token = liveAccessToken(ctx, req);
    if (!token) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer error="invalid_token"')
        .send({ error: 'invalid_request', error_description: 'Invalid Credentials' });
    }
    const { sub, email } = token.grant.account;
    return reply.send(token.scopes.includes(USERINFO_EMAIL) ? { sub, email, email_verified: true } : { sub });
  });

  app.get(PATHS.gmailProfile, { preHandler: gate(ctx, () => ['gmail'], 'gmail') }, async (req, reply) => {
    const token = liveAccessToken(ctx, req);
    if (!token) return sendGoogleApiError(reply, 401, []);
    if (!hasGmailScope(token.scopes)) return sendGoogleApiError(reply, 403, [...GMAIL_SCOPES]);
    return reply.send(gmailProfile(token.grant.account.email));
  });
}

/** Stable, plausible numbers for an account's mailbox. */
function gmailProfile(email: string) {
  const seed = sha256(`gmail:${email}`);
  const messagesTotal = 100 + (seed.readUInt16BE(0) % 5000);
  return {
    emailAddress: email,
    messagesTotal,
    threadsTotal: Math.ceil(messagesTotal * 0.6),
    historyId: String(1_000_000 + (seed.readUInt32BE(2) % 9_000_000)),
  };
}
