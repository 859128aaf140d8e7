import Fastify from 'fastify';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AccountDirectory } from './accounts.js';
import { newCallCounters, resetCallCounters } from './calls.js';
import type { CallCounters } from './calls.js';
import { CodeStore } from './codes.js';
import type { EmulatorContext } from './context.js';
import { createControls, initialSwitches } from './controls.js';
import type { EmulatorControls } from './controls.js';
import { FailureInjector } from './failures.js';
import { GrantStore } from './grants.js';
import { SigningKeys } from './keys.js';
import { RiscStream } from './risc-stream.js';
import { normalizeIssuer, resolveOptions } from './options.js';
import type { EmulatorOptions, ResolvedOptions } from './options.js';
import { createEmulatorPlugin } from './plugin.js';
import type { EmulatorPluginOptions } from './plugin.js';

/**
 * An emulated Google OAuth 2.0 / OpenID Connect provider (RFC 6749, RFC 7636, RFC 7009,
 * OIDC Core and Discovery), for tests, dev mode and the demo. Never for production paths.
 *
 * Standalone: `const issuer = await emulator.start()`; mounted: `app.register(emulator.plugin, { prefix: '/_google' })`
 * with `issuer` set to the public URL of that prefix.
 */
export class GoogleEmulator {
  /** Test switches. */
  readonly controls: EmulatorControls;
  /** Calls per endpoint, live; zero them with `resetCalls()`. */
  readonly calls: CallCounters;
  /** Mount with `app.register(emulator.plugin, { prefix })`; the prefix must be the issuer's path. */
  readonly plugin: FastifyPluginAsync<EmulatorPluginOptions>;

  readonly #options: ResolvedOptions;
  readonly #ctx: EmulatorContext;
  #issuer: string | undefined;
  #app: FastifyInstance | undefined;

  constructor(opts: EmulatorOptions = {}) {
    this.#options = resolveOptions(opts);
    this.#issuer = this.#options.issuer;
    const options = this.#options;
    const accounts = new AccountDirectory();
    accounts.register(options.defaultAccount);
    const switches = initialSwitches({ options });
    const now = () => options.now() + switches.clockOffsetMs;
    this.calls = newCallCounters();
    this.#ctx = {
      options,
      issuer: () => this.issuer,
      now,
      keys: new SigningKeys(),
      accounts,
      grants: new GrantStore(now),
      codes: new CodeStore(now),
      failures: new FailureInjector(),
      calls: this.calls,
      switches,
      risc: new RiscStream(),
    };
    this.controls = createControls(this.#ctx);
    this.plugin = createEmulatorPlugin(this.#ctx, this.controls, { standalone: false, hasIssuer: () => this.#issuer !== undefined });
  }

  /** The issuer identifier, e.g. `http://127.0.0.1:41234` or `http://localhost:8787/_google`. */
  get issuer(): string {
    if (this.#issuer === undefined) throw new Error('GoogleEmulator: issuer unknown; pass options.issuer or call start() first');
    return this.#issuer;
  }

  /**
   * Sets the issuer when it is only known after the host app listens (e.g. an ephemeral port).
   * Mount with a provisional `options.issuer`, then call this before the first request.
   */
  setIssuer(issuer: string): void {
    const problems: string[] = [];
    const normalized = normalizeIssuer(issuer, problems);
    if (normalized === undefined) throw new Error(`GoogleEmulator: ${problems.join('; ')}`);
    this.#issuer = normalized;
  }

  /** Zeroes every call counter. */
  resetCalls(): void {
    resetCallCounters(this.calls);
  }

  /**
   * Serves the emulator on its own port (default: an ephemeral one on 127.0.0.1) and returns the
   * issuer, which is `http://<host>:<port>` unless `options.issuer` was given.
   */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.#app) throw new Error('GoogleEmulator: already started');
    const app = Fastify({ logger: false, forceCloseConnections: true });
    const plugin = createEmulatorPlugin(this.#ctx, this.controls, { standalone: true, hasIssuer: () => true });
    await app.register(plugin);
    this.#app = app;
    try {
      await app.listen({ port, host });
    } catch (err) {
      this.#app = undefined;
      await app.close();
      throw err;
    }
    if (this.#options.issuer === undefined) {
      const address = app.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      this.setIssuer(`http://${urlHost(host)}:${boundPort}`);
    }
    return this.issuer;
  }

  /** Stops the standalone server; injected delays are cut short so this never hangs. */
  async close(): Promise<void> {
    this.#ctx.failures.releaseAll();
    const app = this.#app;
    this.#app = undefined;
    if (app) await app.close();
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
