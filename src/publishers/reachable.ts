import { BlockList, isIP } from 'node:net';

/** Addresses no gateway on the internet can reach: loopback, private, link-local, CGNAT, unspecified. */
const UNREACHABLE = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  UNREACHABLE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) UNREACHABLE.addSubnet(net, prefix, 'ipv6');
const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.lan', '.home.arpa'];

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** Loopback only: this machine (`localhost`, 127.0.0.0/8, ::1). */
export function isLoopback(url: URL): boolean {
  const host = hostOf(url);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  return family === 6 && host === '::1';
}

/** A host that only this machine or its private network can reach (or a name without a domain). */
export function isPrivateHost(url: URL): boolean {
  const host = hostOf(url);
  const family = isIP(host);
  if (family !== 0) {
    const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1] : undefined;
    return mapped ? UNREACHABLE.check(mapped, 'ipv4') : UNREACHABLE.check(host, family === 4 ? 'ipv4' : 'ipv6');
  }
  return host === 'localhost' || !host.includes('.') || LOCAL_SUFFIXES.some((s) => host.endsWith(s));
}

/**
 * Why `publishers sync` must not send these exchange URLs to this Seren (SPEC §10), or undefined.
 * A Seren on loopback is a local test: anything goes. Otherwise its gateway would call the URL
 * from the internet: it must be https:// on a public host.
 */
export function exchangeUrlProblem(publicUrl: string, serenApiUrl: string): string | undefined {
  if (isLoopback(new URL(serenApiUrl))) return undefined;
  const origin = new URL(publicUrl);
  const why =
    origin.protocol !== 'https:' ? 'is not https://' : isPrivateHost(origin) ? 'points at a loopback or private host the Seren gateway cannot reach' : undefined;
  if (!why) return undefined;
  return (
    `PUBLIC_URL: the token_exchange_url built from it (${publicUrl}/token/exchange?publisher=…) ${why}; ` +
    `refusing to send it to ${new URL(serenApiUrl).origin}. Set PUBLIC_URL to this service's public https:// origin (e.g. PUBLIC_URL=https://auth.example.com)`
  );
}

/** Why the Seren API key must not be sent to this (valid http(s)) URL, or undefined: over the network, https only. */
export function serenApiUrlProblem(serenApiUrl: string): string | undefined {
  const url = new URL(serenApiUrl);
  if (url.protocol === 'http:' && !isLoopback(url)) return `--seren-api-url must be https:// (SEREN_API_KEY would cross the network in the clear); got ${url.origin}`;
  return undefined;
}
