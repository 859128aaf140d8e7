import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { TransmitterUnavailable } from './transmitter.js';

/** RFC 8935 §2.4 error codes a receiver answers a refused SET with. */
export type SetErrorCode = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed';

/** A SET that fails a check: `400 {"err": code, "description": message}`. */
export class SetRejected extends Error {
  constructor(
    readonly err: SetErrorCode,
    description: string,
  ) {
    super(description);
  }
}

/** Only asymmetric signatures: an HMAC "signed" with Google's public key must never verify. */
export const SET_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** A SET may claim to be issued this far in the future (clocks differ a little). */
export const SET_CLOCK_SKEW_SECONDS = 60;
/** SETs older than this are refused (SPEC §11), so the replay store need keep a jti no longer. */
export const SET_MAX_AGE_SECONDS = 24 * 60 * 60;

declare const verified: unique symbol;

/** A SET whose signature, issuer, audience and age were checked; only verifySet makes one. */
export interface VerifiedSet {
  readonly [verified]: true;
  readonly issuer: string;
  readonly jti: string;
  readonly issuedAt: number;
  /** The `events` claim: event type URI → its payload (checked per type by parseEvents). */
  readonly events: Readonly<Record<string, unknown>>;
}

export interface SetExpectations {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
  nowMs: number;
}

/**
 * Verifies a Security Event Token (RFC 8417) as SPEC §11 says: an asymmetric signature by a key
 * at the transmitter's `jwks_uri`, `iss` = its issuer, `aud` = our client id, `iat` not in the
 * future and not older than a day, a `jti` and an `events` object. Throws SetRejected with the
 * RFC 8935 code, or TransmitterUnavailable when the keys cannot be loaded (the sender retries).
 */
export async function verifySet(compact: string, expect: SetExpectations): Promise<VerifiedSet> {
  checkSetHeader(compact);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(compact, expect.keys, {
      algorithms: SET_ALGORITHMS,
      // Google's documents write its issuer both with and without a trailing slash.
      issuer: [expect.issuer.replace(/\/+$/, ''), `${expect.issuer.replace(/\/+$/, '')}/`],
      audience: expect.audience,
      currentDate: new Date(expect.nowMs),
      clockTolerance: SET_CLOCK_SKEW_SECONDS,
    }));
  } catch (err) {
    throw translate(err, expect);
  }
  return checkClaims(payload, expect.nowMs);
}

/** The checks that need no keys: a signed compact JWT, with an asymmetric algorithm. */
export function checkSetHeader(compact: string): void {
  if (compact.split('.').length === 5) throw new SetRejected('invalid_request', 'Encrypted SETs are not accepted; send a signed JWT.');
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(compact).alg;
  } catch {
    throw new SetRejected('invalid_request', 'The body is not a JWT (a signed Security Event Token in compact form).');
  }
  if (alg === 'none') throw new SetRejected('authentication_failed', 'Unsigned SETs (alg "none") are refused.');
  if (typeof alg !== 'string' || !SET_ALGORITHMS.includes(alg)) {
    throw new SetRejected('invalid_key', `SETs must be signed with the transmitter's asymmetric key (${SET_ALGORITHMS.slice(0, 3).join(', ')}, …); alg "${String(alg)}" is refused.`);
  }
}

function translate(err: unknown, expect: SetExpectations): Error {
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new SetRejected('invalid_key', "The SET's key is not one the transmitter publishes at its jwks_uri.");
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported || err instanceof errors.JWKInvalid) {
    return new SetRejected('invalid_key', "The SET's key or algorithm is not acceptable.");
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new SetRejected('authentication_failed', 'The SET signature does not verify.');
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iss') {
    return new SetRejected('invalid_issuer', `The SET issuer is not ${expect.issuer}.`);
  }
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
    return new SetRejected('invalid_audience', "The SET audience is not this service's Google client id.");
  }
  if (err instanceof errors.JWTExpired || err instanceof errors.JWTClaimValidationFailed) {
    return new SetRejected('invalid_request', `The SET's claims are not acceptable: ${err.message}.`);
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return new SetRejected('invalid_request', 'The body is not a well-formed signed JWT.');
  }
  // The key set could not be fetched (time-out, network, a bad answer): not the sender's fault.
  return new TransmitterUnavailable(`the transmitter's signing keys could not be loaded: ${(err as Error).message}`);
}

function checkClaims(payload: Record<string, unknown>, nowMs: number): VerifiedSet {
  const { iss, jti, iat, events } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw new SetRejected('invalid_request', 'The SET has no usable "jti" claim.');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new SetRejected('invalid_request', 'The SET has no "iat" claim.');
  const now = nowMs / 1000;
  if (iat > now + SET_CLOCK_SKEW_SECONDS) throw new SetRejected('invalid_request', 'The SET claims to be issued in the future ("iat").');
  if (now - iat > SET_MAX_AGE_SECONDS) throw new SetRejected('invalid_request', 'The SET was issued more than a day ago ("iat"); it is too old to act on.');
  if (typeof events !== 'object' || events === null || Array.isArray(events) || Object.keys(events).length === 0) {
    throw new SetRejected('invalid_request', 'The SET has no "events" object (RFC 8417 §2.2).');
  }
  return { issuer: String(iss), jti, issuedAt: iat, events: events as Record<string, unknown> } as VerifiedSet;
}
