import { createRemoteJWKSet } from 'jose';
import { z } from 'zod';
import { type Clock, systemClock } from '../clock.js';

/**
 * What Google's `risc-configuration` document (OpenID RISC Profile §3, with Google's own field
 * names for the stream endpoints) tells a receiver: who signs the events, where the keys are,
 * and where the stream is managed.
 */
export interface TransmitterConfiguration {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Google: `https://risc.googleapis.com/v1beta/stream:update` (RISC Profile: `configuration_endpoint`). */
  readonly updateConfigurationEndpoint: string | undefined;
  /** Google: `https://risc.googleapis.com/v1beta/stream:verify`. */
  readonly verificationEndpoint: string | undefined;
}

/** The document could not be loaded or is unusable; the message says which and why. */
export class TransmitterUnavailable extends Error {}

const FETCH_TIMEOUT_MS = 5_000;
/** How long the document and its keys are trusted before being loaded again. */
export const CONFIGURATION_MAX_AGE_MS = 60 * 60 * 1000;

const url = z.url({ protocol: /^https?$/ });
const documentSchema = z.object({
  issuer: z.string().min(1),
  jwks_uri: url,
  update_configuration_endpoint: url.optional(),
  configuration_endpoint: url.optional(),
  verification_endpoint: url.optional(),
});

/** `$GOOGLE_ISSUER/.well-known/risc-configuration` (Google: https://accounts.google.com/.well-known/risc-configuration). */
export function riscConfigurationUrl(oidcIssuer: string): string {
  return `${oidcIssuer.replace(/\/+$/, '')}/.well-known/risc-configuration`;
}

/** Loads and checks the document; in strict mode its key and API URLs must be https://. */
export async function fetchTransmitterConfiguration(oidcIssuer: string, strict: boolean): Promise<TransmitterConfiguration> {
  const where = riscConfigurationUrl(oidcIssuer);
  let body: unknown;
  try {
    const res = await fetch(where, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new TransmitterUnavailable(`${where} answered HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    if (err instanceof TransmitterUnavailable) throw err;
    const why = (err as Error).name === 'TimeoutError' ? 'timed out' : `failed (${(err as Error).message})`;
    throw new TransmitterUnavailable(`loading ${where} ${why}`);
  }
  const parsed = documentSchema.safeParse(body);
  if (!parsed.success) throw new TransmitterUnavailable(`${where} is not a RISC configuration document: ${z.prettifyError(parsed.error)}`);
  const doc = parsed.data;
  const config: TransmitterConfiguration = {
    issuer: doc.issuer,
    jwksUri: doc.jwks_uri,
    updateConfigurationEndpoint: doc.update_configuration_endpoint ?? doc.configuration_endpoint,
    verificationEndpoint: doc.verification_endpoint,
  };
  const insecure = [config.jwksUri, config.updateConfigurationEndpoint, config.verificationEndpoint].filter((u) => u?.startsWith('http://'));
  if (strict && insecure.length > 0) throw new TransmitterUnavailable(`${where} names http:// URLs (${insecure.join(', ')}); production requires https://`);
  return Object.freeze(config);
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * The transmitter as the receiver needs it: its configuration and its signing keys (jose's
 * remote JWKS: cached, re-fetched when a SET names a key it has not seen, at most every 30 s).
 * Loaded on first use and again after CONFIGURATION_MAX_AGE_MS; a failed reload keeps the
 * last good one.
 */
export class Transmitter {
  private current: { config: TransmitterConfiguration; keys: KeySet; loadedAt: number } | undefined;
  private loading: Promise<{ config: TransmitterConfiguration; keys: KeySet }> | undefined;

  constructor(
    private readonly oidcIssuer: string,
    private readonly strict: boolean,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(): Promise<{ config: TransmitterConfiguration; keys: KeySet }> {
    const current = this.current;
    if (current && this.clock() - current.loadedAt < CONFIGURATION_MAX_AGE_MS) return current;
    this.loading ??= this.load()
      .catch((err) => {
        if (current) return current;
        throw err;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load() {
    const config = await fetchTransmitterConfiguration(this.oidcIssuer, this.strict);
    const keys = this.current?.config.jwksUri === config.jwksUri ? this.current.keys : createRemoteJWKSet(new URL(config.jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS });
    this.current = { config, keys, loadedAt: this.clock() };
    return this.current;
  }
}
