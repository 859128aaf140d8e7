import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

const ALG = 'RS256';

export interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
}

/**
 * The emulator's ID token signing key (RS256), generated per instance, published as a JWKS.
 * Generation starts at construction and is awaited on first use, so constructing stays synchronous.
 */
export class SigningKeys {
  readonly #current: Promise<KeyPair>;
  #rogue: Promise<CryptoKey> | undefined;

  constructor() {
    this.#current = createKeyPair();
    this.#current.catch(() => undefined); // surfaced on first use, not as an unhandled rejection
  }

  /** The published key pair (the SET signer needs it directly, to forge SETs in each way a receiver must refuse). */
  current(): Promise<KeyPair> {
    return this.#current;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const { publicJwk } = await this.#current;
    return { keys: [{ ...publicJwk }] };
  }

  /**
   * Signs a JWT with the published key, or, when `rogue`, with an unpublished key under the
   * same `kid`, so that only a real signature check notices.
   */
  async sign(claims: JWTPayload, rogue = false): Promise<string> {
    const { privateKey, kid } = await this.#current;
    const key = rogue ? await this.#rogueKey() : privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: ALG, kid, typ: 'JWT' }).sign(key);
  }

  /** A private key Google never published, for forgeries under the real `kid`. */
  rogueKey(): Promise<CryptoKey> {
    return this.#rogueKey();
  }

  #rogueKey(): Promise<CryptoKey> {
    this.#rogue ??= generateKeyPair(ALG).then((pair) => pair.privateKey);
    return this.#rogue;
  }
}

async function createKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(ALG);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, kid, publicJwk: { ...jwk, kid, alg: ALG, use: 'sig' } };
}
