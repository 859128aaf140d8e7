import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away self-signed key pair, made with openssl when first needed (no key is kept in git). */
function selfSignedPair(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'sga-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let pair: { key: Buffer; cert: Buffer } | undefined;

/**
 * An HTTPS server on loopback whose certificate no client trusts (self-signed):
 * what a TLS-intercepting proxy or a misconfigured issuer looks like. Counts handshakes refused.
 */
export async function untrustedTlsServer(): Promise<{ url: string; refusedHandshakes: () => number; close(): Promise<void> }> {
  let refused = 0;
  pair ??= selfSignedPair();
  const server: Server = createServer(pair, (_req, res) => res.end('{}'));
  server.on('tlsClientError', () => refused++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refusedHandshakes: () => refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
