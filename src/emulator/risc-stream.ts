import { randomBytes } from 'node:crypto';
import { exportPKCS8, generateKeyPair } from 'jose';
import type { CryptoKey } from 'jose';

/**
 * A service-account key file, shaped like the JSON the Google Cloud console downloads
 * ("Create key → JSON"). Only `client_email`, `private_key_id` and `private_key` matter here.
 */
export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
}

export interface ServiceAccount {
  readonly email: string;
  readonly keyId: string;
  readonly publicKey: CryptoKey;
  /** Holds the "RISC Configuration Admin" role (`roles/riscconfigs.admin`). */
  readonly riscAdmin: boolean;
}

/** The project's event stream, as `stream:update` stores it and `GET stream` returns it. */
export interface StreamConfig {
  delivery: { delivery_method: string; url: string };
  events_requested: string[];
}

/** One SET the emulator pushed, and what the receiver answered (`status` 0: unreachable). */
export interface Delivery {
  readonly jti: string;
  readonly eventType: string;
  readonly url: string;
  readonly status: number;
  readonly body: string;
  readonly at: number;
}

export interface ServiceAccountOptions {
  /** Default: `risc-admin-<n>@emulated-project.iam.gserviceaccount.com`. */
  email?: string;
  /** Default true; false makes every stream call answer 403, as Google does without the role. */
  riscAdmin?: boolean;
}

const PROJECT = 'emulated-project';
const MAX_DELIVERIES_KEPT = 1_000;

/** The emulated project's RISC side: its service accounts, its one stream, and the deliveries made. */
export class RiscStream {
  readonly #accounts = new Map<string, ServiceAccount>();
  readonly #deliveries: Delivery[] = [];
  #config: StreamConfig | undefined;
  #enabled = true;

  /** Creates a service account with one key and returns the key file, as the console does. */
  async createServiceAccount(opts: ServiceAccountOptions, tokenUri: string): Promise<ServiceAccountKey> {
    const email = (opts.email ?? `risc-admin-${this.#accounts.size + 1}@${PROJECT}.iam.gserviceaccount.com`).toLowerCase();
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const keyId = randomBytes(20).toString('hex');
    this.#accounts.set(email, { email, keyId, publicKey, riscAdmin: opts.riscAdmin ?? true });
    return {
      type: 'service_account',
      project_id: PROJECT,
      private_key_id: keyId,
      private_key: await exportPKCS8(privateKey),
      client_email: email,
      client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
      auth_uri: tokenUri,
      token_uri: tokenUri,
    };
  }

  serviceAccount(email: string): ServiceAccount | undefined {
    return this.#accounts.get(email.toLowerCase());
  }

  get config(): StreamConfig | undefined {
    return this.#config && structuredClone(this.#config);
  }

  set config(config: StreamConfig) {
    this.#config = structuredClone(config);
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  set enabled(on: boolean) {
    this.#enabled = on;
  }

  /** Where a SET of this type goes, when the stream is configured, enabled and asked for it. */
  receiverFor(eventType: string): string | undefined {
    const config = this.#config;
    if (!config || !this.#enabled || !config.events_requested.includes(eventType)) return undefined;
    return config.delivery.url;
  }

  record(delivery: Delivery): void {
    this.#deliveries.push(delivery);
    if (this.#deliveries.length > MAX_DELIVERIES_KEPT) this.#deliveries.shift();
  }

  get deliveries(): Delivery[] {
    return [...this.#deliveries];
  }
}
