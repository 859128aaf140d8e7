/**
 * The security events this service handles (SPEC §11): Google's Cross-Account Protection types
 * plus `account-purged` from the OpenID RISC event types. Note the two namespaces: the OAuth
 * events live under `secevent/oauth`, the account events under `secevent/risc`.
 */
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const OAUTH = 'https://schemas.openid.net/secevent/oauth/event-type/';

/**
 * What each event does to the grants of the Google account it names:
 * `revoke_account` — every grant of the account becomes reauthorization_required;
 * `revoke_token` — the one grant whose refresh token the event identifies;
 * `record` — nothing changes, the event is recorded; `verification` — recorded, its state logged.
 */
export type RiscAction = 'revoke_account' | 'revoke_token' | 'record' | 'verification';

export const RISC_EVENTS = {
  'tokens-revoked': { uri: `${OAUTH}tokens-revoked`, action: 'revoke_account' },
  'token-revoked': { uri: `${OAUTH}token-revoked`, action: 'revoke_token' },
  'account-disabled': { uri: `${RISC}account-disabled`, action: 'revoke_account' },
  'account-purged': { uri: `${RISC}account-purged`, action: 'revoke_account' },
  'account-enabled': { uri: `${RISC}account-enabled`, action: 'record' },
  'sessions-revoked': { uri: `${RISC}sessions-revoked`, action: 'record' },
  'account-credential-change-required': { uri: `${RISC}account-credential-change-required`, action: 'record' },
  verification: { uri: `${RISC}verification`, action: 'verification' },
} as const satisfies Record<string, { uri: string; action: RiscAction }>;

export type RiscEventName = keyof typeof RISC_EVENTS;

const BY_URI = new Map<string, RiscEventName>(Object.entries(RISC_EVENTS).map(([name, e]) => [e.uri, name as RiscEventName]));

export function eventNameOf(uri: string): RiscEventName | undefined {
  return BY_URI.get(uri);
}

/** The event types `risc register` asks Google for: every one handled here. */
export const HANDLED_EVENT_URIS: readonly string[] = Object.values(RISC_EVENTS).map((e) => e.uri);

/** RFC 8935's push delivery method as Google's stream API names it. */
export const PUSH_DELIVERY_METHOD = 'https://schemas.openid.net/secevent/risc/delivery-method/push';
