import { isIP } from 'node:net';

/**
 * Which proxies in front may set `X-Forwarded-*` (SPEC §2, §9): none (`false`), every hop
 * (`true`, warned about), the nearest N hops, or the listed addresses/CIDRs (plus proxy-addr's
 * names `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | readonly string[];

export const TRUST_PROXY_EXPECTED =
  'expected false, a hop count (1 = the one proxy in front), or a comma list of proxy addresses/CIDRs (e.g. 10.0.0.5,10.1.0.0/16); true trusts every hop';

export const TRUST_EVERY_HOP_WARNING =
  'TRUST_PROXY=true trusts every hop: a client can choose the address its rate limits are counted on and claim HTTPS by sending its own X-Forwarded-* headers. Set TRUST_PROXY to the hop count (1) or to the proxy\'s address instead.';

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_HOPS = 32;

function validEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Parses TRUST_PROXY; undefined (unset) means false. */
export function parseTrustProxy(raw: string | undefined): { value: TrustProxy } | { problem: string } {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return { value: false };
  if (value === 'true') return { value: true };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) return { problem: `a hop count is at most ${MAX_HOPS}` };
    return { value: hops === 0 ? false : hops };
  }
  const entries = value.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !validEntry(e));
  if (bad.length > 0) return { problem: `${TRUST_PROXY_EXPECTED}; not an address or CIDR: ${bad.map((b) => JSON.stringify(b)).join(', ')}` };
  return { value: Object.freeze(entries) };
}

/**
 * The function Fastify is given. Fastify 5 treats a numeric `trustProxy` as "trust nothing" (a
 * hop count cannot vouch for the peer), which would count every client on the proxy's address;
 * so a hop count becomes proxy-addr's classic rule: the nearest N hops are proxies.
 */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  if (typeof trust === 'boolean') return trust;
  return [...trust];
}
