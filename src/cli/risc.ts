import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigFor } from '../config/config.js';
import { EMULATOR_PREFIX } from '../http/app.js';
import { HANDLED_EVENT_URIS } from '../risc/event-types.js';
import { receiverProblem } from '../risc/receiver-url.js';
import { type ServiceAccountKey, ServiceAccountKeyError, readServiceAccountKey, serviceAccountBearer } from '../risc/service-account.js';
import { RiscApiError, callRiscApi, streamConfiguration } from '../risc/stream-client.js';
import { type TransmitterConfiguration, TransmitterUnavailable, fetchTransmitterConfiguration, riscConfigurationUrl } from '../risc/transmitter.js';
import type { Command } from './main.js';
import { UsageError } from './usage.js';

type Needs = 'publicUrl' | 'googleIssuer' | 'riscServiceAccount';

const HOW_TO_AUTHENTICATE =
  'Needs RISC_SERVICE_ACCOUNT_FILE: the JSON key of a service account with the RISC Configuration Admin role\n' +
  '(roles/riscconfigs.admin) in the Google Cloud project of GOOGLE_CLIENT_ID. The RISC API address comes from\n' +
  '$GOOGLE_ISSUER/.well-known/risc-configuration (Google: https://risc.googleapis.com/v1beta/…). See docs/risc.md.';

/** What both commands start from: where Google is, where our receiver is, and the key to sign with. */
async function prepare(config: ConfigFor<Needs>): Promise<{ transmitter: TransmitterConfiguration; receiver: string; key: ServiceAccountKey }> {
  const file = config.riscServiceAccountFile;
  if (!file) throw new UsageError('RISC_SERVICE_ACCOUNT_FILE is not set: point it at the JSON key of a service account with the RISC Configuration Admin role');
  const key = readServiceAccountKey(file);
  const issuer = config.googleIssuer ?? `${config.publicUrl}${EMULATOR_PREFIX}`;
  const transmitter = await fetchTransmitterConfiguration(issuer, config.strict);
  return { transmitter, receiver: `${config.publicUrl}/risc/events`, key };
}

/** The failures an operator can act on leave as one sentence and exit 1 (no stack trace). */
function explained(name: string, run: Command<Needs>['run']): Command<Needs>['run'] {
  return async (args) => {
    try {
      return await run(args);
    } catch (err) {
      if (!(err instanceof RiscApiError || err instanceof ServiceAccountKeyError || err instanceof TransmitterUnavailable || err instanceof MissingEndpoint)) throw err;
      console.error(`seren-google-auth ${name}: ${err.message}`);
      return 1;
    }
  };
}

class MissingEndpoint extends Error {}

function endpoint(transmitter: TransmitterConfiguration, which: 'updateConfigurationEndpoint' | 'verificationEndpoint', issuer: string): string {
  const url = transmitter[which];
  if (!url) throw new MissingEndpoint(`${riscConfigurationUrl(issuer)} names no ${which === 'verificationEndpoint' ? 'verification_endpoint' : 'update_configuration_endpoint'}; this provider's event stream cannot be managed from here`);
  return url;
}

export const riscRegister: Command<Needs> = {
  needs: ['publicUrl', 'googleIssuer', 'riscServiceAccount'],
  summary: 'Ask Google to push security events (Cross-Account Protection) to $PUBLIC_URL/risc/events',
  usage:
    'seren-google-auth risc register [--dry-run]\n\n' +
    'Configures the project\'s event stream (stream:update): push delivery to $PUBLIC_URL/risc/events, for every\n' +
    'event type this service handles. --dry-run shows the request (and checks the key) without sending it.\n' +
    HOW_TO_AUTHENTICATE,
  options: { 'dry-run': { type: 'boolean' } },
  run: explained('risc register', async ({ values, config: loadConfig }) => {
    const config = loadConfig();
    const { transmitter, receiver, key } = await prepare(config);
    const update = endpoint(transmitter, 'updateConfigurationEndpoint', transmitter.issuer);
    const problem = receiverProblem(receiver, update);
    if (problem) throw new UsageError(problem);
    const body = streamConfiguration(receiver);
    const bearer = await serviceAccountBearer(key, update, Date.now()); // also proves the key is usable
    console.log(`POST ${update}\n  as ${key.clientEmail} (a one-hour JWT signed with key ${key.privateKeyId})\n${JSON.stringify(body, null, 2)}`);
    if (values['dry-run'] === true) {
      console.log('Dry run: nothing was sent.');
      return 0;
    }
    await callRiscApi(update, bearer, body);
    console.log(`Registered: Google now pushes ${HANDLED_EVENT_URIS.length} event types to ${receiver}.`);
    console.log('Check the whole path with: seren-google-auth risc verify');
    return 0;
  }),
};

const DEFAULT_VERIFY_TIMEOUT_SECONDS = 120;
const POLL_MS = 500;

export const riscVerify: Command<Needs> = {
  needs: ['publicUrl', 'googleIssuer', 'riscServiceAccount'],
  summary: 'Ask Google for a test event and wait until $PUBLIC_URL/risc/events has received it',
  usage:
    'seren-google-auth risc verify [--timeout <seconds>]\n\n' +
    `Requests a verification event with a fresh state (stream:verify), then asks the running service\n` +
    `(GET $PUBLIC_URL/risc/verification?state=<state>) until it has received and verified it, for at most\n` +
    `--timeout seconds (default ${DEFAULT_VERIFY_TIMEOUT_SECONDS}). Exits 0 when it arrived, 1 when it did not.\n` +
    HOW_TO_AUTHENTICATE,
  options: { timeout: { type: 'string' } },
  run: explained('risc verify', async ({ values, config: loadConfig }) => {
    const timeoutSeconds = values.timeout === undefined ? DEFAULT_VERIFY_TIMEOUT_SECONDS : Number(values.timeout);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) throw new UsageError('--timeout must be a whole number of seconds between 1 and 3600');
    const config = loadConfig();
    const { transmitter, receiver, key } = await prepare(config);
    const verify = endpoint(transmitter, 'verificationEndpoint', transmitter.issuer);
    const state = `seren-google-auth-verify-${randomBytes(12).toString('base64url')}`;
    await callRiscApi(verify, await serviceAccountBearer(key, verify, Date.now()), { state });
    console.log(`Google was asked for a verification event with state "${state}".`);
    console.log(`Waiting up to ${timeoutSeconds} s for ${receiver} to receive it…`);

    const status = `${config.publicUrl}/risc/verification?state=${encodeURIComponent(state)}`;
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (Date.now() < deadline) {
      const res = await fetch(status, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      if (res?.ok) {
        const { received_at } = (await res.json()) as { received_at: string };
        console.log(`Received and verified at ${received_at}: Google → ${receiver} works.`);
        return 0;
      }
      await res?.body?.cancel();
      await sleep(POLL_MS);
    }
    console.error(
      `Not received within ${timeoutSeconds} s. Google may take a few minutes: run again with a longer --timeout. Otherwise check that\n` +
        `  - ${receiver} is reachable from the internet over HTTPS;\n` +
        '  - `seren-google-auth risc register` was run (it asks for the verification event type);\n' +
        '  - the service log has no "refused a security event token" line (its risc_error says why: invalid_audience means\n' +
        '    GOOGLE_CLIENT_ID is not the client of this project; invalid_issuer or invalid_key, a wrong GOOGLE_ISSUER).',
    );
    return 1;
  }),
};
