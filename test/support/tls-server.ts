import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

const here = (name: string) => new URL(`./tls/${name}`, import.meta.url);

/**
 * An HTTPS server on loopback whose certificate no client trusts (self-signed, test-only key):
 * what a TLS-intercepting proxy or a misconfigured issuer looks like. Counts handshakes refused.
 */
export async function untrustedTlsServer(): Promise<{ url: string; refusedHandshakes: () => number; close(): Promise<void> }> {
  let refused = 0;
  const server: Server = createServer({ key: readFileSync(here('self-signed.key')), cert: readFileSync(here('self-signed.crt')) }, (_req, res) => res.end('{}'));
  server.on('tlsClientError', () => refused++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refusedHandshakes: () => refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
