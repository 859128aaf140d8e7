/**
 * A benchmark child process: a minimal Google (discovery and the token endpoint's refresh grant)
 * or a minimal Seren (`GET /auth/me`), on loopback, answering after a fixed latency. They run in
 * their own processes so the service under test pays only for its own side of each call: the
 * project's emulator signs an RS256 ID token and keeps grant records in the same process, which
 * is not the service's cost.
 *
 *   node --import tsx bench/upstreams.ts google|seren <latencyMs>   (then `{latency: ms}` over IPC)
 *
 * Speaks the protocol the service's clients check (openid-client: discovery whose issuer matches,
 * client_secret_basic, a JSON token response; Seren: `{data: user}` or 401), nothing more.
 * Keys and refresh tokens follow the benchmark's seeding (seed.ts): `sk_bench_<n>` is the Seren
 * user `bench-user-<n>`, whose refresh token starts with `1//bench-`.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { BENCH_CLIENT, BENCH_SCOPES, KEY_PREFIX, REFRESH_TOKEN_PREFIX, userIdOf } from './fixtures.js';

const [role = 'google', latencyArg = '0'] = process.argv.slice(2);
/** Changed over IPC (`{latency: ms}`): the service keeps the same issuer URL, which its database's installation binding records. */
let latencyMs = Number(latencyArg);

/** client_secret_basic (RFC 6749 §2.3.1: each part form-urlencoded, then base64); the last accepted header is remembered. */
let acceptedBasic: string | undefined;
function clientAuthenticated(header: string | undefined): boolean {
  if (header === undefined) return false;
  if (header === acceptedBasic) return true;
  const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
  const [id = '', secret = ''] = decoded.split(':').map((p) => decodeURIComponent(p.replaceAll('+', ' ')));
  if (id !== BENCH_CLIENT.clientId || secret !== BENCH_CLIENT.clientSecret) return false;
  acceptedBasic = header;
  return true;
}
/** Google's access tokens are ~200 characters; the service seals and sends values of that size. */
const tokenPad = randomBytes(120).toString('base64url');
let issued = 0;
let calls = 0;

function send(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  const answer = () => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  };
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function google(issuer: () => string) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    calls++;
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
      const base = issuer();
      return send(res, 200, {
        issuer: base,
        authorization_endpoint: `${base}/o/oauth2/v2/auth`,
        token_endpoint: `${base}/token`,
        revocation_endpoint: `${base}/revoke`,
        jwks_uri: `${base}/oauth2/v3/certs`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (req.method === 'GET' && req.url === '/oauth2/v3/certs') return send(res, 200, { keys: [] });
    if (req.method === 'POST' && req.url === '/token') {
      const form = new URLSearchParams(await readBody(req));
      if (!clientAuthenticated(req.headers.authorization)) return send(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
      if (form.get('grant_type') !== 'refresh_token') return send(res, 400, { error: 'unsupported_grant_type' });
      if (!form.get('refresh_token')?.startsWith(REFRESH_TOKEN_PREFIX)) return send(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      return send(res, 200, { access_token: `ya29.bench${++issued}.${tokenPad}`, expires_in: 3599, scope: BENCH_SCOPES.join(' '), token_type: 'Bearer' });
    }
    if (req.method === 'POST' && req.url === '/revoke') return send(res, 200, {});
    send(res, 404, { error: 'not_found' });
  };
}

function seren() {
  const prefix = `Bearer ${KEY_PREFIX}`;
  return (req: IncomingMessage, res: ServerResponse) => {
    calls++;
    const auth = req.headers.authorization;
    if (req.method !== 'GET' || req.url !== '/auth/me' || !auth?.startsWith(prefix)) return send(res, 401, { error: 'unauthorized' });
    const n = auth.slice(prefix.length);
    if (!/^\d+$/.test(n)) return send(res, 401, { error: 'unauthorized' });
    send(res, 200, { data: { id: userIdOf(Number(n)), email: `user${n}@bench.example`, name: `Bench user ${n}`, status: 'active' } });
  };
}

let url = '';
const handler = role === 'google' ? google(() => url) : seren();
const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  Promise.resolve(handler(req, res)).catch((err: Error) => send(res, 500, { error: 'internal', message: err.message }));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${address.port}`;
  process.send!({ ready: { url, latencyMs } });
});
process.on('message', (m: { stats?: boolean; latency?: number }) => {
  if (m.stats) process.send!({ stats: { calls } });
  if (m.latency !== undefined) {
    latencyMs = m.latency;
    process.send!({ latency: latencyMs });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
