import type { Account } from './accounts.js';
import type { EmulatorClient } from './options.js';
import { randomToken } from './random.js';

/** A validated authorization request (RFC 6749 §4.1.1 plus Google's extensions). */
export interface AuthorizationRequest {
  readonly client: EmulatorClient;
  readonly redirectUri: string;
  /** As requested, in order. */
  readonly scopes: readonly string[];
  readonly state: string;
  readonly nonce: string | undefined;
  readonly codeChallenge: string;
  readonly accessType: 'online' | 'offline';
  readonly prompt: readonly string[];
  readonly includeGrantedScopes: boolean;
  readonly loginHint: string | undefined;
}

/** How the user answers the next authorization (set by tests through `controls.nextConsent`). */
export interface ConsentDecision {
  /** Scopes the user refuses (Google's granular consent); the consent page shows them unticked. */
  withholdScopes?: string[];
  /** The user cancels: the client gets `error=access_denied`. */
  deny?: boolean;
  /** The account that signs in. */
  email?: string;
  /** Skip the consent page for this one authorization (true) or show it despite global auto-approve (false). */
  autoApprove?: boolean;
}

export interface PendingConsent {
  readonly request: AuthorizationRequest;
  readonly decision: ConsentDecision | undefined;
  readonly expiresAt: number;
}

export interface CodeGrant {
  readonly request: AuthorizationRequest;
  readonly account: Account;
  /** Canonical scopes granted in this authorization. */
  readonly scopes: readonly string[];
  readonly expiresAt: number;
  used: boolean;
  /** Tokens issued from this code, revoked if the code is replayed (RFC 6749 §4.1.2). */
  readonly issuedTokens: string[];
}

const PENDING_CONSENT_TTL_MS = 10 * 60 * 1000;

/** Consent pages awaiting an answer, and authorization codes awaiting redemption. */
export class CodeStore {
  readonly #pending = new Map<string, PendingConsent>();
  readonly #codes = new Map<string, CodeGrant>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Returns a one-time id for the consent form, so the form never carries the raw parameters. */
  savePending(request: AuthorizationRequest, decision: ConsentDecision | undefined): string {
    this.#prune();
    const id = randomToken();
    this.#pending.set(id, { request, decision, expiresAt: this.#now() + PENDING_CONSENT_TTL_MS });
    return id;
  }

  peekPending(id: string): PendingConsent | undefined {
    const pending = this.#pending.get(id);
    return pending && pending.expiresAt > this.#now() ? pending : undefined;
  }

  takePending(id: string): PendingConsent | undefined {
    const pending = this.peekPending(id);
    this.#pending.delete(id);
    return pending;
  }

  issueCode(request: AuthorizationRequest, account: Account, scopes: readonly string[], ttlSeconds: number): string {
    this.#prune();
    const code = `4/0emu_${randomToken()}`;
    const expiresAt = this.#now() + ttlSeconds * 1000;
    this.#codes.set(code, { request, account, scopes: [...scopes], expiresAt, used: false, issuedTokens: [] });
    return code;
  }

  /** Codes stay findable after expiry until pruned, so a replay is still recognised as one. */
  findCode(code: string): CodeGrant | undefined {
    return this.#codes.get(code);
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(id);
    // Keep used or expired codes an hour longer so replays are still detected.
    for (const [code, c] of this.#codes) if (c.expiresAt + 3_600_000 <= now) this.#codes.delete(code);
  }
}
