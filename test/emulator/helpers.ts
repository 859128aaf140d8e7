import { createHash, randomBytes } from 'node:crypto';
import { GoogleEmulator } from '../../src/emulator/index.js';
import type { EmulatorOptions } from '../../src/emulator/index.js';

export const CLIENT_ID = 'dev-client-id';
export const CLIENT_SECRET = 'dev-client-secret';
/** Never contacted: redirects are read with `redirect: 'manual'`. */
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const GMAIL_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
export const CALENDAR = 'https://www.googleapis.com/auth/calendar';
export const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
export const FETCH_TIMEOUT_MS = 5_000;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<{ emulator: GoogleEmulator; issuer: string }> {
  const emulator = new GoogleEmulator(opts);
  const issuer = await emulator.start();
  return { emulator, issuer };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(issuer: string, params: Record<string, string | undefined> = {}): string {
  const url = new URL(`${issuer}/o/oauth2/v2/auth`);
  const all: Record<string, string | undefined> = {
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: `openid email ${GMAIL_READONLY}`,
    state: 'state-123',
    nonce: 'nonce-123',
    code_challenge_method: 'S256',
    access_type: 'offline',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
}

export function postForm(url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  return fetch(url, { method: 'POST', body, redirect: 'manual', headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
}

export function postJson(url: string, json: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: JSON.stringify(json),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
}

/** Follows one authorization request (auto-approve or error) and returns the redirect target. */
export async function authorize(issuer: string, params: Record<string, string | undefined> = {}): Promise<URL> {
  const res = await get(authorizeUrl(issuer, params));
  if (res.status !== 302) throw new Error(`expected a redirect, got ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location') ?? '');
}

/** An auto-approved code with its PKCE verifier. */
export async function obtainCode(issuer: string, params: Record<string, string | undefined> = {}): Promise<{ code: string; verifier: string; location: URL }> {
  const { verifier, challenge } = pkce();
  const location = await authorize(issuer, { code_challenge: challenge, ...params });
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.href}`);
  return { code, verifier, location };
}

export interface TokenResult {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function token(issuer: string, form: Record<string, string>, auth: 'post' | 'basic' = 'post'): Promise<TokenResult> {
  const headers: Record<string, string> = {};
  const fields = { ...form };
  if (auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
  else Object.assign(fields, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  const res = await postForm(`${issuer}/token`, fields, headers);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export function redeem(issuer: string, code: string, verifier: string, auth: 'post' | 'basic' = 'post'): Promise<TokenResult> {
  return token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, auth);
}

export function refreshWith(issuer: string, refreshToken: string): Promise<TokenResult> {
  return token(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** Auto-approved code flow to a token response. */
export async function codeFlow(issuer: string, params: Record<string, string | undefined> = {}): Promise<TokenResult> {
  const { code, verifier } = await obtainCode(issuer, params);
  return redeem(issuer, code, verifier);
}
