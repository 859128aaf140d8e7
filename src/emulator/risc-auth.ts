import type { FastifyReply } from 'fastify';
import { decodeJwt, jwtVerify } from 'jose';
import type { EmulatorContext } from './context.js';
import type { ServiceAccount } from './risc-stream.js';

/** Google's documented audience path for RISC API bearer JWTs, on the API's own origin. */
export const RISC_MANAGEMENT_SERVICE = 'google.identity.risc.v1beta.RiscManagementService';

/** `https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService` at Google; here, the emulator's origin. */
export function managementAudience(ctx: EmulatorContext): string {
  return `${new URL(ctx.issuer()).origin}/${RISC_MANAGEMENT_SERVICE}`;
}

/** An error of a googleapis.com JSON API: `{"error": {"code", "message", "status"}}`. */
export class GoogleApiError extends Error {
  constructor(
    readonly code: 400 | 401 | 403 | 404,
    message: string,
  ) {
    super(message);
  }

  send(reply: FastifyReply): FastifyReply {
    const status = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND' }[this.code];
    return reply.code(this.code).header('cache-control', 'no-store').send({ error: { code: this.code, message: this.message, status } });
  }
}

const MAX_LIFETIME_SECONDS = 3600;

/**
 * The RISC API's authorization, as Google documents it: a JWT signed with the service account's
 * key (RS256, `kid` = its key id), `iss` = `sub` = its email, `aud` = the management service,
 * expiring at most an hour after `iat`. Anything else is 401; a service account without the
 * RISC Configuration Admin role is 403.
 */
export async function authenticateServiceAccount(ctx: EmulatorContext, authorization: string | undefined): Promise<ServiceAccount> {
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '')?.[1];
  if (!token) throw new GoogleApiError(401, 'Unauthorized.');
  let email: unknown;
  try {
    email = decodeJwt(token).iss;
  } catch {
    throw new GoogleApiError(401, 'Unauthorized.');
  }
  const account = typeof email === 'string' ? ctx.risc.serviceAccount(email) : undefined;
  if (!account) throw new GoogleApiError(401, 'Unauthorized.');
  try {
    const { payload, protectedHeader } = await jwtVerify(token, account.publicKey, {
      algorithms: ['RS256'],
      issuer: account.email,
      subject: account.email,
      audience: managementAudience(ctx),
      requiredClaims: ['iat', 'exp'],
      currentDate: new Date(ctx.now()),
    });
    if (protectedHeader.kid !== undefined && protectedHeader.kid !== account.keyId) throw new Error('unknown key id');
    if (payload.exp! - payload.iat! > MAX_LIFETIME_SECONDS || payload.iat! > ctx.now() / 1000 + 60) throw new Error('bad lifetime');
  } catch {
    throw new GoogleApiError(401, 'Unauthorized.');
  }
  if (!account.riscAdmin) {
    throw new GoogleApiError(403, 'Service account needs permission to access your RISC configuration');
  }
  return account;
}
