import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Clock } from '../clock.js';
import type { PinnedGoogleAccount, SerenAccountLabel } from '../connect/connect-tokens.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Queryable } from '../db/database.js';
import { deleteInBatches } from '../db/delete-in-batches.js';
import type { GoogleClient, RedeemedGrant } from '../google/client.js';

/** How long a user has between Continue and Google's redirect back (consent rarely takes a minute). */
export const FLOW_TTL_SECONDS = 600;

/** The flow a callback belongs to, as stored when the user pressed Continue. */
export interface FlowRecord {
  serenUserId: string;
  account: SerenAccountLabel;
  /** The connect token's scopes (the `openid email` sign-in scopes come on top). */
  requestedScopes: string[];
  /** The connect token's pinned Google account: the callback refuses any other (SPEC §4). */
  pinned: PinnedGoogleAccount | null;
}

/** The sealed part of a flow row (`secrets_encrypted`, AAD = seren_user_id). */
export interface FlowSecrets {
  codeVerifier: string;
  nonce: string;
}

/** What the authorization request needs, and the value for the browser cookie. */
export interface StartedFlow {
  state: string;
  nonce: string;
  codeChallenge: string;
  /** Goes only into the HttpOnly flow cookie; the database keeps its SHA-256. */
  browserSecret: string;
}

export type FlowRejection = 'unknown' | 'no_cookie' | 'wrong_browser' | 'used' | 'expired';

/** Held only by this module, so only `OAuthFlows.check` can make a CheckedCallback. */
const CHECKED = Symbol('checked callback');

/**
 * A callback whose state matched an unexpired, unused flow of this browser, now consumed.
 * Holding one is the proof ("checked as a value, not a flag"): the verifier and nonce the
 * code redemption needs are reachable only through `redeem`.
 */
export class CheckedCallback {
  readonly #state: string;
  readonly #secrets: FlowSecrets;

  constructor(key: typeof CHECKED, readonly flow: FlowRecord, state: string, secrets: FlowSecrets) {
    if (key !== CHECKED) throw new Error('only the state checker makes a CheckedCallback');
    this.#state = state;
    this.#secrets = secrets;
  }

  /** Redeems the code with this flow's PKCE verifier; openid-client checks state and the ID token (signature, iss, aud, nonce, exp). */
  redeem(google: GoogleClient, callbackQuery: URLSearchParams): Promise<RedeemedGrant> {
    return google.redeemCode(callbackQuery, { state: this.#state, nonce: this.#secrets.nonce, codeVerifier: this.#secrets.codeVerifier });
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const OPAQUE = /^[A-Za-z0-9_-]{43}$/;

/** True when `value` hashes to `hexHash`, compared in constant time. */
function hashMatches(value: string, hexHash: string): boolean {
  const a = Buffer.from(sha256(value), 'hex');
  const b = Buffer.from(hexHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

type Row = {
  seren_user_id: string; secrets_encrypted: string; requested_scopes: string[];
  seren_name: string | null; seren_email: string | null; google_sub: string | null; google_email: string | null;
};

/**
 * OAuth transactions between POST /auth/google and the callback (RFC 6749 §10.12, RFC 7636,
 * OIDC Core §3.1.2.1): state, nonce and PKCE verifier, bound to one browser by a cookie. Only
 * hashes of the state and the cookie are stored; the verifier and nonce are sealed.
 */
export class OAuthFlows {
  constructor(
    private readonly db: Queryable,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  /** Creates a flow; pass the transaction that consumed the connect token. */
  async create(tx: Queryable, flow: FlowRecord): Promise<StartedFlow> {
    const state = oidc.randomState();
    const secrets: FlowSecrets = { codeVerifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() };
    const browserSecret = randomBytes(32).toString('base64url');
    await tx.query(
      `INSERT INTO oauth_flows (state_hash, browser_hash, seren_user_id, secrets_encrypted, requested_scopes, expires_at, seren_name, seren_email,
          google_sub, google_email)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        sha256(state), sha256(browserSecret), flow.serenUserId, this.keyring.seal(JSON.stringify(secrets), flow.serenUserId),
        flow.requestedScopes, new Date(this.clock() + FLOW_TTL_SECONDS * 1000), flow.account.name, flow.account.email,
        flow.pinned?.subject ?? null, flow.pinned?.email ?? null,
      ],
    );
    return { state, nonce: secrets.nonce, codeChallenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier), browserSecret };
  }

  /**
   * Checks a callback's state against this browser's cookie and consumes the flow at once.
   * A request from another browser consumes nothing, so it cannot spoil the real user's flow.
   */
  async check(state: string, browserSecret: string | undefined): Promise<CheckedCallback | FlowRejection> {
    if (!OPAQUE.test(state)) return 'unknown';
    const stateHash = sha256(state);
    const [found] = await this.db.query<{ browser_hash: string; expires_at: Date; consumed_at: Date | null }>(
      'SELECT browser_hash, expires_at, consumed_at FROM oauth_flows WHERE state_hash = $1',
      [stateHash],
    );
    if (!found) return 'unknown';
    if (browserSecret === undefined) return 'no_cookie';
    if (!hashMatches(browserSecret, found.browser_hash)) return 'wrong_browser';
    const now = new Date(this.clock());
    const [row] = await this.db.query<Row>(
      `UPDATE oauth_flows SET consumed_at = $2
        WHERE state_hash = $1 AND consumed_at IS NULL AND expires_at > $2
        RETURNING seren_user_id, secrets_encrypted, requested_scopes, seren_name, seren_email, google_sub, google_email`,
      [stateHash, now],
    );
    if (!row) return found.consumed_at || found.expires_at > now ? 'used' : 'expired';
    const secrets = JSON.parse(this.keyring.open(row.secrets_encrypted, row.seren_user_id)) as FlowSecrets;
    const flow: FlowRecord = {
      serenUserId: row.seren_user_id,
      account: { name: row.seren_name, email: row.seren_email },
      requestedScopes: row.requested_scopes,
      pinned: row.google_sub ? { subject: row.google_sub, email: row.google_email } : null,
    };
    return new CheckedCallback(CHECKED, flow, state, secrets);
  }

  /** Forgets flows expired for a day (scheduled); returns the count. */
  purgeExpired(now = this.clock()): Promise<number> {
    return deleteInBatches(this.db, 'oauth_flows', 'state_hash', 'expires_at < $1', [new Date(now - 86_400_000)]);
  }
}
