import * as oidc from 'openid-client';
import type { Config } from '../../src/config/config.js';
import { Keyring } from '../../src/crypto/keyring.js';
import type { Database } from '../../src/db/database.js';
import type { GoogleEmulator } from '../../src/emulator/index.js';
import { GoogleClient } from '../../src/google/client.js';
import { Grants } from '../../src/grants/grants.js';
import type { Harness } from './harness.js';

/** A running service and its emulated Google: a test Harness, or what the benchmark starts. */
export interface ConnectTarget {
  url: string;
  google: GoogleEmulator;
  config: Config;
  db: Database;
  now: () => number;
}

export interface ConnectOptions {
  /** The Google account that consents (the emulator's default account otherwise). */
  email?: string;
  /** Scopes to request besides `openid email`; default: Gmail's. */
  scopes?: readonly string[];
  /** Scopes the user unticks on the consent page (granular consent). */
  withhold?: readonly string[];
}

export const GMAIL_SCOPES = [
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.modify',
];

/**
 * Connects a Seren user's Google account the way the callback does, with real parts: a real
 * authorization-code flow with PKCE against the emulated Google (auto-approve), the code
 * redeemed and the ID token checked by openid-client, and the result stored through the
 * Grants.saveConnection verb. (Stand-in until the browser flow of issue 3 can be driven over HTTP.)
 */
export async function connectGoogle(
  target: Harness | ConnectTarget,
  serenUserId: string,
  opts: ConnectOptions = {},
): Promise<{ email: string; googleSubject: string }> {
  const h: ConnectTarget = 'service' in target ? { url: target.url, google: target.google, config: target.config, db: target.service.db, now: target.clock.now } : target;
  const email = opts.email ?? 'user@example.com';
  h.google.controls.setDefaultAccount({ email });
  if (opts.withhold) h.google.controls.nextConsent({ withholdScopes: [...opts.withhold] });
  const google = new GoogleClient({
    issuer: h.google.issuer,
    clientId: h.config.google.clientId,
    clientSecret: h.config.google.clientSecret,
    redirectUri: `${h.url}/auth/google/callback`,
  });
  const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  const url = await google.authorizationUrl({
    scopes: ['openid', 'email', ...(opts.scopes ?? GMAIL_SCOPES)],
    state: checks.state,
    nonce: checks.nonce,
    codeChallenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
  });
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`the emulated Google did not redirect back (HTTP ${res.status})`);
  const redeemed = await google.redeemCode(new URL(location).searchParams, checks);
  const grants = new Grants(h.db, new Keyring(h.config.encryptionKeys!), h.now);
  await grants.saveConnection({
    serenUserId,
    refreshToken: redeemed.refreshToken,
    scopes: redeemed.grantedScopes,
    googleSubject: redeemed.googleSubject,
    googleEmail: redeemed.googleEmail,
    accessToken: redeemed.accessToken,
    accessTokenExpiresAt: new Date(h.now() + redeemed.expiresInSeconds * 1000),
  });
  return { email, googleSubject: redeemed.googleSubject };
}
