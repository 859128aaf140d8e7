import type { AccountDirectory } from './accounts.js';
import type { CallCounters } from './calls.js';
import type { CodeStore, ConsentDecision } from './codes.js';
import type { FailureInjector } from './failures.js';
import type { GrantStore } from './grants.js';
import type { IdTokenTamper } from './id-token.js';
import type { SigningKeys } from './keys.js';
import type { RiscStream } from './risc-stream.js';
import type { EmulatorAccount, ResolvedOptions } from './options.js';

/** Test switches; mutated by `controls`, read by the routes. */
export interface Switches {
  autoApprove: boolean;
  nextConsent: ConsentDecision | undefined;
  defaultAccount: EmulatorAccount;
  omitNextRefreshToken: boolean;
  rotateRefreshTokens: boolean;
  nextIdTokenTamper: IdTokenTamper | undefined;
  clockOffsetMs: number;
}

/** Everything a route needs, built once per emulator. */
export interface EmulatorContext {
  readonly options: ResolvedOptions;
  /** The issuer identifier; throws while it is still unknown (standalone, before `start()`). */
  issuer(): string;
  /** The injected clock plus `controls.advanceClock`, in ms. */
  now(): number;
  readonly keys: SigningKeys;
  readonly accounts: AccountDirectory;
  readonly grants: GrantStore;
  readonly codes: CodeStore;
  readonly failures: FailureInjector;
  readonly calls: CallCounters;
  readonly switches: Switches;
  /** Cross-Account Protection: service accounts, the event stream, deliveries. */
  readonly risc: RiscStream;
}

/** Joins an issuer and an endpoint path: `http://h/_google` + `/token`. */
export function endpointUrl(ctx: EmulatorContext, path: string): string {
  return `${ctx.issuer()}${path}`;
}

export const PATHS = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/oauth2/v3/certs',
  authorize: '/o/oauth2/v2/auth',
  decision: '/o/oauth2/v2/auth/decision',
  consentCss: '/o/oauth2/v2/consent.css',
  token: '/token',
  revoke: '/revoke',
  userinfo: '/v1/userinfo',
  gmailProfile: '/gmail/v1/users/me/profile',
  control: '/_control',
  riscConfiguration: '/.well-known/risc-configuration',
  riscStream: '/risc/v1beta/stream',
  riscStreamUpdate: '/risc/v1beta/stream:update',
  riscVerify: '/risc/v1beta/stream:verify',
  riscStatus: '/risc/v1beta/stream/status',
  riscStatusUpdate: '/risc/v1beta/stream/status:update',
} as const;
