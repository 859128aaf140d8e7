import type { JWTPayload } from 'jose';
import type { Account } from './accounts.js';
import type { SigningKeys } from './keys.js';
import { randomToken, sha256 } from './random.js';

/** Ways to spoil the next ID token, each of which a conforming relying party must reject. */
export const ID_TOKEN_TAMPERS = ['wrong_nonce', 'wrong_audience', 'wrong_issuer', 'bad_signature', 'expired'] as const;
export type IdTokenTamper = (typeof ID_TOKEN_TAMPERS)[number];

const ID_TOKEN_TTL_SECONDS = 3600;

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  account: Account;
  nonce: string | undefined;
  accessToken: string;
  nowMs: number;
}

/** Signs an OIDC ID token (OIDC Core §2) shaped like Google's, spoiled as asked. */
export function issueIdToken(keys: SigningKeys, input: IdTokenInput, tamper?: IdTokenTamper): Promise<string> {
  const iat = Math.floor(input.nowMs / 1000);
  const claims: JWTPayload = {
    iss: input.issuer,
    azp: input.clientId,
    aud: input.clientId,
    sub: input.account.sub,
    email: input.account.email,
    email_verified: true,
    at_hash: atHash(input.accessToken),
    iat,
    exp: iat + ID_TOKEN_TTL_SECONDS,
  };
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  switch (tamper) {
    case 'wrong_nonce':
      claims.nonce = randomToken();
      break;
    case 'wrong_audience':
      claims.aud = 'someone-else.apps.googleusercontent.com';
      break;
    case 'wrong_issuer':
      claims.iss = 'https://issuer.invalid';
      break;
    case 'expired': {
      // Relying parties check `exp` against their own clock, so expire it on whichever clock is earlier.
      const past = Math.min(iat, Math.floor(Date.now() / 1000)) - 2 * ID_TOKEN_TTL_SECONDS;
      claims.iat = past;
      claims.exp = past + ID_TOKEN_TTL_SECONDS;
      break;
    }
    default:
      break;
  }
  return keys.sign(claims, tamper === 'bad_signature');
}

/** OIDC Core §3.1.3.6: left half of the SHA-256 of the access token, base64url. */
function atHash(accessToken: string): string {
  return sha256(accessToken).subarray(0, 16).toString('base64url');
}
