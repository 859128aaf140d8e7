import type { Account } from './accounts.js';
import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import type { Grant } from './grants.js';
import { RISC_EVENT_TYPES, type RiscEventName, type SetTamper, signSet } from './risc-set.js';

/** What a test (or the demo) asks the emulated Google to tell a receiver. */
export interface PushRequest {
  event: RiscEventName;
  /** The Google account the event is about (default: the default account); or `sub`, e.g. one nobody knows. */
  email?: string | undefined;
  sub?: string | undefined;
  /** The SET's audience; default: the client of the account's latest grant, else the first client. */
  clientId?: string | undefined;
  /** `account-disabled`: `hijacking` or `bulk-account` (Google may also send none). */
  reason?: string | undefined;
  /** `verification`: the state to echo. */
  state?: string | undefined;
  /** `token-revoked`: which identifier names the account's latest refresh token (default `hash_base64_sha512_sha512`). */
  tokenIdentifierAlg?: 'prefix' | 'hash_base64_sha512_sha512' | undefined;
  /** `token-revoked`: an explicit identifier instead (e.g. one matching no token). */
  tokenIdentifier?: string | undefined;
  /** Google writes `subject_type: iss-sub`; RFC 9493 writes `format: iss_sub`. Default `iss-sub`. */
  subjectFormat?: 'iss-sub' | 'iss_sub' | undefined;
  /** An event type URI to send instead of `event`'s (e.g. one the receiver does not know). */
  eventTypeUri?: string | undefined;
  /** Where to POST; default: the configured stream's receiver (which must have asked for the event). */
  receiver?: string | undefined;
  jti?: string | undefined;
  tamper?: SetTamper | undefined;
  /** Default true: Google does what the event reports (disables the account, revokes the grant) before telling. */
  applyAtGoogle?: boolean | undefined;
}

export interface PushResult {
  receiver: string;
  jti: string;
  /** The SET as sent (a test may send it again: a replay). */
  set: string;
  /** The receiver's answer; 0 when it could not be reached. */
  status: number;
  body: string;
}

const DELIVERY_TIMEOUT_MS = 5_000;

/** Signs a SET about one account (or token) and delivers it by push (RFC 8935). */
export async function pushSecurityEvent(ctx: EmulatorContext, req: PushRequest): Promise<PushResult> {
  const eventType = req.eventTypeUri ?? RISC_EVENT_TYPES[req.event];
  const receiver = req.receiver ?? ctx.risc.receiverFor(eventType);
  if (!receiver) {
    throw new OAuthError('invalid_request', `No receiver: pass one, or configure the stream (stream:update) to request ${eventType}.`, 409);
  }
  const account = req.sub !== undefined ? undefined : ctx.accounts.get(req.email ?? ctx.switches.defaultAccount.email);
  const grant = account && ctx.grants.latestGrant(account.email, req.clientId);
  const payload = eventPayload(ctx, req, account, grant);
  if (req.applyAtGoogle !== false && account) applyAtGoogle(ctx, req.event, account, grant);
  const audience = req.clientId ?? grant?.clientId ?? ctx.options.clients[0]!.clientId;
  const { set, jti } = await signSet(ctx.keys, { issuer: ctx.issuer(), audience, events: { [eventType]: payload }, nowMs: ctx.now(), jti: req.jti }, req.tamper);
  return { receiver, jti, set, ...(await deliver(ctx, receiver, set, jti, eventType)) };
}

/** POSTs one SET (RFC 8935 §2) and records the answer. */
export async function deliver(ctx: EmulatorContext, url: string, set: string, jti: string, eventType: string): Promise<{ status: number; body: string }> {
  let answer: { status: number; body: string };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json' },
      body: set,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    answer = { status: res.status, body: await res.text() };
  } catch (err) {
    answer = { status: 0, body: (err as Error).message };
  }
  ctx.risc.record({ jti, eventType, url, ...answer, at: ctx.now() });
  return answer;
}

function eventPayload(ctx: EmulatorContext, req: PushRequest, account: Account | undefined, grant: Grant | undefined): Record<string, unknown> {
  if (req.event === 'verification') return { state: req.state ?? '' };
  if (req.event === 'token-revoked') {
    const alg = req.tokenIdentifierAlg ?? 'hash_base64_sha512_sha512';
    const identifiers = grant && ctx.grants.latestRefreshToken(grant)?.identifiers;
    const token = req.tokenIdentifier ?? identifiers?.[alg];
    if (token === undefined) throw new OAuthError('invalid_request', 'The account has no live refresh token to name; pass tokenIdentifier.', 404);
    return { subject: { subject_type: 'oauth_token', token_type: 'refresh_token', token_identifier_alg: alg, token } };
  }
  // Google's example writes the subject's issuer with a trailing slash.
  const subject = { iss: `${ctx.issuer()}/`, sub: req.sub ?? account!.sub };
  const payload: Record<string, unknown> = {
    subject: req.subjectFormat === 'iss_sub' ? { format: 'iss_sub', ...subject } : { subject_type: 'iss-sub', ...subject },
  };
  if (req.reason !== undefined) payload.reason = req.reason;
  return payload;
}

/** What Google itself does about the account before it tells the receivers. */
function applyAtGoogle(ctx: EmulatorContext, event: RiscEventName, account: Account, grant: Grant | undefined): void {
  switch (event) {
    case 'account-disabled':
    case 'account-purged':
      ctx.grants.revokeAccount(account.email);
      break;
    case 'tokens-revoked':
      if (grant) ctx.grants.revokeAccount(account.email, grant.clientId);
      break;
    case 'token-revoked':
      if (grant) ctx.grants.revokeGrant(grant);
      break;
    default:
      break;
  }
}
