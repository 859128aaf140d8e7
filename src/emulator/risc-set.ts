import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, exportSPKI, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import type { SigningKeys } from './keys.js';

/**
 * The security events Google's Cross-Account Protection sends (its "Supported event types"),
 * plus `account-purged` from the OpenID RISC event types. Note the two namespaces.
 */
export const RISC_EVENT_TYPES = {
  'sessions-revoked': 'https://schemas.openid.net/secevent/risc/event-type/sessions-revoked',
  'tokens-revoked': 'https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked',
  'token-revoked': 'https://schemas.openid.net/secevent/oauth/event-type/token-revoked',
  'account-disabled': 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  'account-enabled': 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  'account-purged': 'https://schemas.openid.net/secevent/risc/event-type/account-purged',
  'account-credential-change-required': 'https://schemas.openid.net/secevent/risc/event-type/account-credential-change-required',
  verification: 'https://schemas.openid.net/secevent/risc/event-type/verification',
} as const;

export type RiscEventName = keyof typeof RISC_EVENT_TYPES;
export const RISC_EVENT_NAMES = Object.keys(RISC_EVENT_TYPES) as RiscEventName[];

export const PUSH_DELIVERY_METHOD = 'https://schemas.openid.net/secevent/risc/delivery-method/push';

/** Ways to forge a SET, each of which a conforming receiver must refuse. */
export const SET_TAMPERS = [
  'bad_signature', // signed by a key Google never published, under the published `kid`
  'unknown_key', // signed by another key with a `kid` the JWKS does not have
  'alg_none', // unsigned
  'hs256_public_key', // HS256 with the published public key (PEM) as the HMAC secret
  'wrong_issuer',
  'wrong_audience',
  'stale', // issued 25 hours ago
  'future', // issued an hour from now
] as const;
export type SetTamper = (typeof SET_TAMPERS)[number];

export interface SetInput {
  issuer: string;
  audience: string;
  /** The `events` claim: one event type URI → its payload. */
  events: Record<string, unknown>;
  nowMs: number;
  jti?: string | undefined;
}

/** A Security Event Token (RFC 8417) as Google signs it, spoiled as asked. */
export async function signSet(keys: SigningKeys, input: SetInput, tamper?: SetTamper): Promise<{ set: string; jti: string }> {
  const jti = input.jti ?? randomUUID().replaceAll('-', '');
  let iat = Math.floor(input.nowMs / 1000);
  if (tamper === 'stale') iat -= 25 * 3600;
  if (tamper === 'future') iat += 3600;
  const claims: JWTPayload = {
    iss: tamper === 'wrong_issuer' ? 'https://issuer.invalid' : input.issuer,
    aud: tamper === 'wrong_audience' ? 'someone-else.apps.googleusercontent.com' : input.audience,
    iat,
    jti,
    events: input.events,
  };
  const { privateKey, kid, publicJwk } = await keys.current();
  const header = { typ: 'secevent+jwt' };
  switch (tamper) {
    case 'alg_none':
      return { set: new UnsecuredJWT(claims).encode(), jti };
    case 'hs256_public_key': {
      const publicKey = await importPublic(publicJwk);
      const secret = new TextEncoder().encode(await exportSPKI(publicKey));
      return { set: await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'HS256', kid }).sign(secret), jti };
    }
    case 'bad_signature':
      return { set: await sign(claims, { ...header, kid }, await keys.rogueKey()), jti };
    case 'unknown_key':
      return { set: await sign(claims, { ...header, kid: 'not-a-published-key' }, await otherKey()), jti };
    default:
      return { set: await sign(claims, { ...header, kid }, privateKey), jti };
  }
}

function sign(claims: JWTPayload, header: { typ: string; kid: string }, key: CryptoKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, alg: 'RS256' }).sign(key);
}

let other: Promise<CryptoKey> | undefined;
function otherKey(): Promise<CryptoKey> {
  other ??= generateKeyPair('RS256').then((pair) => pair.privateKey);
  return other;
}

async function importPublic(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK({ ...jwk }, 'RS256', { extractable: true })) as CryptoKey;
}
