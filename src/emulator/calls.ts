/** Endpoints whose calls are counted. `token_refresh` counts refresh grants, which also count under `token`. */
export const ENDPOINT_NAMES = [
  'discovery',
  'jwks',
  'authorize',
  'decision',
  'token',
  'token_refresh',
  'revoke',
  'userinfo',
  'gmail',
  'risc_configuration',
  'risc_management',
] as const;

export type EndpointName = (typeof ENDPOINT_NAMES)[number];

export type CallCounters = Record<EndpointName, number>;

export function newCallCounters(): CallCounters {
  const counters = {} as CallCounters;
  resetCallCounters(counters);
  return counters;
}

/** Resets in place, so references handed out earlier stay live. */
export function resetCallCounters(counters: CallCounters): void {
  for (const name of ENDPOINT_NAMES) counters[name] = 0;
}
