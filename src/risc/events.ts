import { type RiscEventName, RISC_EVENTS, eventNameOf } from './event-types.js';
import { SetRejected, type VerifiedSet } from './set-verifier.js';

/** A Google account, named by issuer and subject. */
export interface AccountSubject {
  readonly iss: string;
  readonly sub: string;
}

/** One event of a verified SET, checked against its type's definition. */
export type RiscEvent =
  | { readonly kind: 'account'; readonly name: Exclude<RiscEventName, 'token-revoked' | 'verification'>; readonly subject: AccountSubject | undefined; readonly subjectType: string; readonly reason: string | undefined }
  | { readonly kind: 'token'; readonly name: 'token-revoked'; readonly identifier: TokenIdentifier | undefined; readonly identifierType: string }
  | { readonly kind: 'verification'; readonly name: 'verification'; readonly state: string }
  | { readonly kind: 'unknown'; readonly uri: string };

/** How a `token-revoked` event names a refresh token (Google's two `token_identifier_alg`s). */
export interface TokenIdentifier {
  readonly alg: 'prefix' | 'hash_base64_sha512_sha512';
  readonly token: string;
}

const MAX_TEXT = 1_000;

/**
 * The events of a SET, each checked against its definition. A payload that does not conform
 * (no subject object, a token event without a token) is `invalid_request` (RFC 8935). A subject
 * we cannot match (an email subject, an access-token identifier) is kept as `undefined`: the SET
 * is accepted and changes nothing. Unknown event types are kept as `unknown` (RFC 8417 §2.2:
 * ignore what you do not understand).
 */
export function parseEvents(set: VerifiedSet): RiscEvent[] {
  return Object.entries(set.events).map(([uri, payload]) => {
    const name = eventNameOf(uri);
    if (!name) return { kind: 'unknown', uri: uri.slice(0, 200) };
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw nonConforming(name, 'its payload is not an object');
    const p = payload as Record<string, unknown>;
    if (name === 'verification') {
      if (p.state !== undefined && typeof p.state !== 'string') throw nonConforming(name, '"state" is not a string');
      return { kind: 'verification', name, state: String(p.state ?? '').slice(0, MAX_TEXT) };
    }
    const subject = p.subject;
    if (typeof subject !== 'object' || subject === null || Array.isArray(subject)) throw nonConforming(name, 'it has no "subject" object');
    const s = subject as Record<string, unknown>;
    const subjectType = String(s.subject_type ?? s.format ?? '(none)').slice(0, 64);
    if (name === 'token-revoked') return { kind: 'token', name, identifier: tokenIdentifier(s), identifierType: `${subjectType}/${String(s.token_identifier_alg)}`.slice(0, 100) };
    const reason = typeof p.reason === 'string' ? p.reason.slice(0, 64) : undefined;
    return { kind: 'account', name, subject: accountSubject(s), subjectType, reason };
  });
}

function nonConforming(name: RiscEventName, why: string): SetRejected {
  return new SetRejected('invalid_request', `The ${name} event does not conform to its definition: ${why} (${RISC_EVENTS[name].uri}).`);
}

/** Google's `subject_type: iss-sub` (and `id_token_claims`), or RFC 9493's `format: iss_sub`. */
function accountSubject(s: Record<string, unknown>): AccountSubject | undefined {
  const issSub = s.subject_type === 'iss-sub' || s.subject_type === 'id_token_claims' || s.format === 'iss_sub';
  if (!issSub) return undefined;
  if (typeof s.iss !== 'string' || typeof s.sub !== 'string' || s.sub === '') throw new SetRejected('invalid_request', 'An issuer-and-subject identifier needs string "iss" and "sub" (RFC 9493 §3.2.5).');
  return { iss: s.iss, sub: s.sub };
}

/** Only refresh tokens, by the identifiers Google uses; anything else matches nothing here. */
function tokenIdentifier(s: Record<string, unknown>): TokenIdentifier | undefined {
  if (typeof s.token !== 'string' || s.token === '') throw new SetRejected('invalid_request', 'A token-revoked event needs its token identifier ("token").');
  const alg = s.token_identifier_alg;
  if (s.subject_type !== 'oauth_token' || (s.token_type !== undefined && s.token_type !== 'refresh_token')) return undefined;
  if (alg !== 'prefix' && alg !== 'hash_base64_sha512_sha512') return undefined;
  return { alg, token: s.token.slice(0, 512) };
}
