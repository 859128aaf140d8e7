import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config/config.js';
import { GatewaySimulator } from '../gateway/simulator.js';
import { EMULATOR_PREFIX } from '../http/app.js';
import { createLogger } from '../log/logger.js';
import { serenPublisherConfig } from '../publishers/seren-config.js';
import { startService } from '../runtime.js';
import { Browser, type BrowserResponse, formTo } from './browser.js';
import { freePort } from './free-port.js';
import type { Narrator } from './narrator.js';

const AGENT_KEY = 'seren_dev_demo';
const GOOGLE_ACCOUNT = 'demo.user@gmail.com';

/** Text of the first element `tag` of a page, tags stripped. */
const textOf = (page: BrowserResponse, tag: string, cls?: string) =>
  new RegExp(`<${tag}\\b[^>]*${cls ? `class="${cls}"` : ''}[^>]*>([\\s\\S]*?)</${tag}>`)
    .exec(page.body)?.[1]
    ?.replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim() ?? '';

class StoryError extends Error {}
const expectStatus = (res: { status: number }, status: number, what: string) => {
  if (res.status !== status) throw new StoryError(`${what}: expected HTTP ${status}, got ${res.status}`);
};

/**
 * The whole story of SPEC §1 on this machine with no set-up: a dev-mode service on a free port
 * with a throwaway embedded database, the emulated Google (auto-approving), a simulated gateway
 * for the Gmail publisher, and a scripted browser for the user. Resolves true when it completed.
 */
export async function runDemo(say: Narrator): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'seren-google-auth-demo-'));
  say.wait('Starting seren-google-auth in dev mode (embedded PostgreSQL, emulated Google)');
  const port = await freePort();
  const config = parseConfig({ DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  const service = await startService(config, { logger: createLogger('silent') });
  try {
    return await tell(say, config.publicUrl);
  } catch (err) {
    say.fail(err instanceof StoryError ? err.message : `the demo failed: ${(err as Error).message}`);
    return false;
  } finally {
    say.stop();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function tell(say: Narrator, base: string): Promise<boolean> {
  await waitUntilReady(base);
  say.ok(`Service ready at ${base} (Google emulated at ${base}${EMULATOR_PREFIX})`);
  const google = `${base}${EMULATOR_PREFIX}`;
  await control(google, 'autoApprove', { on: true });
  await control(google, 'defaultAccount', { email: GOOGLE_ACCOUNT });

  const publisher = serenPublisherConfig(base, { slug: 'gmail', name: 'Gmail', scopes: [], token_cache_ttl_seconds: 3500 });
  const gateway = new GatewaySimulator(publisher);
  const gmailProfile = `${google}/gmail/v1/users/me/profile`;

  say.step(1, 'The agent asks for the user’s Gmail profile through the Seren gateway');
  say.say(`gateway → POST ${publisher.token_exchange_url}  (Authorization: Bearer <agent's Seren API key>)`);
  const first = await gateway.call(AGENT_KEY, gmailProfile);
  if (first.ok) throw new StoryError('the first call should have failed: Google is not connected yet');
  say.say(`← HTTP ${first.status} ${first.error}; the agent shows the user:`);
  say.quote(first.message);
  const link = String(first.body.authorization_url ?? '');
  if (!link) throw new StoryError('the not-connected answer carried no authorization_url');

  say.step(2, 'The user opens the link, checks the Seren account and presses Continue');
  const browser = new Browser();
  const confirm = await browser.get(link);
  expectStatus(confirm, 200, 'the confirmation page');
  say.say(`browser → GET /auth/google?seren_token=…  ← ${confirm.status} “${textOf(confirm, 'h1')}”`);
  say.say(`  it names the Seren account Google will be linked to: ${textOf(confirm, 'div', 'account')}`);
  const toGoogle = await browser.submit(formTo(confirm, '/auth/google'));
  expectStatus(toGoogle, 303, 'Continue');
  const authorize = new URL(toGoogle.location!);
  say.say(`browser → POST /auth/google (Continue)  ← 303 to Google ${authorize.pathname}`);
  say.say(`  scopes asked: ${authorize.searchParams.get('scope')}`);

  say.step(3, 'The user consents at Google (the emulated Google approves at once)');
  const back = await browser.get(authorize.href);
  expectStatus(back, 302, 'Google consent');
  say.say(`browser → GET ${authorize.pathname}  ← 302 back to ${new URL(back.location!).pathname} with a one-time code`);
  const done = await browser.get(back.location!);
  expectStatus(done, 200, 'the callback');
  say.say(`browser → GET /auth/google/callback  ← ${done.status} “${textOf(done, 'h1')}”`);
  say.ok(`Google account ${GOOGLE_ACCOUNT} connected; the refresh token is stored encrypted`);

  say.step(4, 'The agent retries; the gateway gets a fresh Google token and calls Gmail');
  const exchanged = await gateway.exchange(AGENT_KEY);
  if (!exchanged.ok) throw new StoryError(`the exchange still fails: ${exchanged.message}`);
  say.say(`gateway → POST /token/exchange?publisher=gmail  ← 200 access token, expires in ${exchanged.expiresIn} s`);
  const retry = await gateway.call(AGENT_KEY, gmailProfile);
  if (!retry.ok || retry.status !== 200) throw new StoryError(`Gmail did not accept the token (HTTP ${retry.status})`);
  say.say(`gateway → GET /gmail/v1/users/me/profile (Authorization: Bearer <Google token>)  ← ${retry.status}`);
  say.quote(JSON.stringify(retry.body));
  say.ok('The agent read the Gmail profile.');

  await disabledAtGoogle(say, base, google, gateway);
  say.ok('The story is complete.');
  return true;
}

/**
 * Cross-Account Protection (SPEC §11): Google disables the hijacked account and pushes a signed
 * security event; the service stops handing out its tokens at once, without asking Google.
 */
async function disabledAtGoogle(say: Narrator, base: string, google: string, gateway: GatewaySimulator) {
  say.step(5, 'Google disables the user’s account (hijacked) and tells the service at once');
  await control(google, 'resetCalls', {});
  const pushed = (await control(google, 'risc/push', { event: 'account-disabled', email: GOOGLE_ACCOUNT, reason: 'hijacking', receiver: `${base}/risc/events` })) as { status: number };
  if (pushed.status !== 202) throw new StoryError(`the security event was not accepted (HTTP ${pushed.status})`);
  say.say(`Google → POST /risc/events  (a signed account-disabled event, reason hijacking)  ← ${pushed.status}`);
  const refused = await gateway.exchange(AGENT_KEY);
  if (refused.ok) throw new StoryError('the exchange still returned a token for the disabled account');
  say.say(`gateway → POST /token/exchange?publisher=gmail  ← HTTP ${refused.status} ${refused.error}; the agent shows the user:`);
  say.quote(refused.message);
  const calls = (await (await fetch(`${google}/_control/calls`)).json()) as { token: number };
  if (calls.token !== 0) throw new StoryError(`the service called Google's token endpoint ${calls.token} time(s) after the event`);
  say.ok('No token is handed out for the disabled account, and Google was not even asked.');
}

async function control(google: string, name: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${google}/_control/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expectStatus(res, 200, `emulated Google control ${name}`);
  return res.json();
}

async function waitUntilReady(base: string) {
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${base}/ready`).catch(() => undefined))?.ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new StoryError('the service did not become ready within 5 s');
}
