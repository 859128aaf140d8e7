import { resetCallCounters } from './calls.js';
import type { ConsentDecision } from './codes.js';
import type { EmulatorContext } from './context.js';
import type { FailEndpoint, Failure } from './failures.js';
import type { TokenState } from './grants.js';
import type { IdTokenTamper } from './id-token.js';
import type { EmulatorAccount } from './options.js';
import { type PushRequest, type PushResult, pushSecurityEvent } from './risc-push.js';
import type { Delivery, ServiceAccountKey, ServiceAccountOptions, StreamConfig } from './risc-stream.js';

export interface GrantInfo {
  clientId: string;
  email: string;
  sub: string;
  /** Every scope the account has granted the client so far. */
  scopes: string[];
  revoked: boolean;
  /** Live (unrevoked) refresh tokens. */
  refreshTokens: number;
  /** Live (unrevoked, unexpired) access tokens. */
  accessTokens: number;
}

export interface TokenInfo {
  kind: 'access' | 'refresh';
  clientId: string;
  email: string;
  sub: string;
  scopes: string[];
  /** Absolute expiry in ms on the emulator's clock; refresh tokens have none. */
  expiresAt: number | undefined;
  state: TokenState;
}

/** Test switches. Each one-shot switch applies to the next matching request only. */
export interface EmulatorControls {
  /** Skip the consent page and approve at once (with the account of `accountEmailFor`). */
  autoApprove: boolean;
  /** How the user answers the next authorization, on the consent page or under auto-approve. */
  nextConsent(decision: ConsentDecision): void;
  /** The account used when a flow names none (auto-approve, the consent form's prefill). */
  setDefaultAccount(account: EmulatorAccount): void;
  /** Revokes every grant of the account (all clients); its refresh tokens then get `invalid_grant`. Returns the count. */
  revokeGrant(email: string): number;
  /** The next `count` calls to `endpoint` fail as described; `count = Infinity` lasts until `clearFailures`. */
  failNext(endpoint: FailEndpoint, failure: Failure, count?: number): void;
  clearFailures(endpoint?: FailEndpoint): void;
  /** The next code exchange answers without a refresh token (`false` cancels). */
  omitRefreshToken(next?: boolean): void;
  /** While on, each refresh returns a new refresh token and the old one stops working. */
  rotateRefreshTokens(on: boolean): void;
  /** The next ID token issued is spoiled this way (`undefined` cancels). */
  tamperNextIdToken(kind: IdTokenTamper | undefined): void;
  /** Moves the emulator's clock forward (on top of the injected `now`). */
  advanceClock(seconds: number): void;
  /** The account's latest grant (for one client, or the most recent of any). */
  grantFor(email: string, clientId?: string): GrantInfo | undefined;
  /** What the emulator knows about an access or refresh token. */
  tokenInfo(token: string): TokenInfo | undefined;
  /** `tokenInfo`, for access tokens only. */
  accessTokenInfo(token: string): TokenInfo | undefined;
  /** All switches back to their initial values, failures cleared, counters zeroed. Grants and tokens stay. */
  reset(): void;
  /** Cross-Account Protection: a service account of the project, and its key file (as the console downloads it). */
  createServiceAccount(opts?: ServiceAccountOptions): Promise<ServiceAccountKey>;
  /** Signs a security event about an account (or token) and pushes it to a receiver; see PushRequest. */
  pushSecurityEvent(req: PushRequest): Promise<PushResult>;
  /** The stream configuration `stream:update` stored, if any. */
  riscStream(): StreamConfig | undefined;
  /** Every SET pushed so far, with the receiver's answer. */
  riscDeliveries(): Delivery[];
}

export function createControls(ctx: EmulatorContext): EmulatorControls {
  const tokenInfo = (token: string): TokenInfo | undefined => {
    const record = ctx.grants.find(token);
    if (!record) return undefined;
    const { grant } = record;
    return {
      kind: record.kind,
      clientId: grant.clientId,
      email: grant.account.email,
      sub: grant.account.sub,
      scopes: [...record.scopes],
      expiresAt: record.expiresAt,
      state: ctx.grants.stateOf(record),
    };
  };
  return {
    get autoApprove() {
      return ctx.switches.autoApprove;
    },
    set autoApprove(on: boolean) {
      ctx.switches.autoApprove = on;
    },
    nextConsent(decision) {
      ctx.switches.nextConsent = { ...decision, withholdScopes: decision.withholdScopes ? [...decision.withholdScopes] : undefined };
    },
    setDefaultAccount(account) {
      ctx.accounts.register(account);
      ctx.switches.defaultAccount = { ...account };
    },
    revokeGrant: (email) => ctx.grants.revokeAccount(email),
    failNext: (endpoint, failure, count = 1) => ctx.failures.add(endpoint, failure, count),
    clearFailures: (endpoint) => ctx.failures.clear(endpoint),
    omitRefreshToken(next = true) {
      ctx.switches.omitNextRefreshToken = next;
    },
    rotateRefreshTokens(on) {
      ctx.switches.rotateRefreshTokens = on;
    },
    tamperNextIdToken(kind) {
      ctx.switches.nextIdTokenTamper = kind;
    },
    advanceClock(seconds) {
      ctx.switches.clockOffsetMs += seconds * 1000;
    },
    grantFor(email, clientId) {
      const grant = ctx.grants.latestGrant(email, clientId);
      if (!grant) return undefined;
      return {
        clientId: grant.clientId,
        email: grant.account.email,
        sub: grant.account.sub,
        scopes: [...grant.scopes],
        revoked: grant.revoked,
        refreshTokens: ctx.grants.countLive(grant, 'refresh'),
        accessTokens: ctx.grants.countLive(grant, 'access'),
      };
    },
    tokenInfo,
    accessTokenInfo(token) {
      const info = tokenInfo(token);
      return info?.kind === 'access' ? info : undefined;
    },
    reset() {
      Object.assign(ctx.switches, initialSwitches(ctx));
      ctx.failures.clear();
      resetCallCounters(ctx.calls);
    },
    createServiceAccount: (opts = {}) => ctx.risc.createServiceAccount(opts, `${ctx.issuer()}/token`),
    pushSecurityEvent: (req) => pushSecurityEvent(ctx, req),
    riscStream: () => ctx.risc.config,
    riscDeliveries: () => ctx.risc.deliveries,
  };
}

export function initialSwitches(ctx: Pick<EmulatorContext, 'options'>): EmulatorContext['switches'] {
  return {
    autoApprove: ctx.options.autoApprove,
    nextConsent: undefined,
    defaultAccount: { ...ctx.options.defaultAccount },
    omitNextRefreshToken: false,
    rotateRefreshTokens: false,
    nextIdTokenTamper: undefined,
    clockOffsetMs: 0,
  };
}
