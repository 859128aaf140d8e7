import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import type { EmulatorClient } from './options.js';
import { constantTimeEqual } from './random.js';

interface Credentials {
  clientId: string;
  clientSecret: string;
}

/** Client authentication at the token endpoint: client_secret_basic or client_secret_post (RFC 6749 §2.3.1). */
export function authenticateClient(ctx: EmulatorContext, authorization: string | undefined, form: Record<string, string>): EmulatorClient {
  const credentials = readCredentials(authorization, form);
  if (!credentials) throw new OAuthError('invalid_client', 'The OAuth client was not found.');
  return verify(ctx, credentials);
}

/** For endpoints where client authentication is optional (revocation, like Google): checked only when sent. */
export function authenticateClientIfPresent(ctx: EmulatorContext, authorization: string | undefined, form: Record<string, string>): EmulatorClient | undefined {
  const credentials = readCredentials(authorization, form);
  return credentials ? verify(ctx, credentials) : undefined;
}

function verify(ctx: EmulatorContext, { clientId, clientSecret }: Credentials): EmulatorClient {
  const client = ctx.options.clients.find((c) => c.clientId === clientId);
  if (!client) throw new OAuthError('invalid_client', 'The OAuth client was not found.');
  if (!constantTimeEqual(client.clientSecret, clientSecret)) throw new OAuthError('invalid_client', 'Unauthorized');
  return client;
}

function readCredentials(authorization: string | undefined, form: Record<string, string>): Credentials | undefined {
  const basic = parseBasic(authorization);
  if (basic) {
    if (form.client_secret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method only.');
    if (form.client_id !== undefined && form.client_id !== basic.clientId) throw new OAuthError('invalid_request', 'client_id does not match the Authorization header.');
    return basic;
  }
  if (form.client_id === undefined || form.client_secret === undefined) return undefined;
  return { clientId: form.client_id, clientSecret: form.client_secret };
}

/** Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1). */
function parseBasic(authorization: string | undefined): Credentials | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials.');
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'Malformed Basic credentials.');
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, '%20'));
}
