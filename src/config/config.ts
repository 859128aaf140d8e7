import { z } from 'zod';
import { type Catalog, loadCatalog } from '../publishers/catalog.js';
import { type KeySpec, parseKeySpecs } from '../crypto/keyring.js';
import { type TrustProxy, TRUST_EVERY_HOP_WARNING, parseTrustProxy } from './trust-proxy.js';

export type { TrustProxy };

/** The whole configuration, parsed once at start (SPEC §2). Only main.ts reads process.env. */
export interface Config {
  /** No GOOGLE_CLIENT_ID: the built-in emulated Google and dev identities are used. */
  readonly devMode: boolean;
  /** NODE_ENV=production: refuses anything unsafe (SPEC §9). */
  readonly strict: boolean;
  /** Accepted but risky settings, to be logged at start (e.g. TRUST_PROXY=true). */
  readonly warnings: readonly string[];
  readonly logLevel: string;
  readonly port: number;
  readonly host: string;
  /** External origin (`scheme://host[:port]`, no trailing slash). */
  readonly publicUrl: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Undefined only when a dev key is to be generated into DATA_DIR. */
  readonly encryptionKeys: readonly KeySpec[] | undefined;
  readonly google: {
    readonly clientId: string;
    readonly clientSecret: string;
    /** Undefined in dev mode: the emulator mounted at /_google is the issuer. */
    readonly issuer: string | undefined;
  };
  /** Google's issuer alone, for commands that need no client secret (`risc`); undefined in dev mode. */
  readonly googleIssuer: string | undefined;
  /** Undefined in dev mode: `seren_dev_<name>` keys are accepted instead. */
  readonly serenUserinfoUrl: string | undefined;
  readonly catalog: Catalog;
  readonly trustProxy: TrustProxy;
  /** When set, GET /metrics requires `Authorization: Bearer <it>`. */
  readonly metricsToken: string | undefined;
  readonly identityCacheTtlSeconds: number;
  readonly connectTokenTtlSeconds: number;
  readonly minTokenLifetimeSeconds: number;
  readonly rateLimitPerMinute: number;
  readonly authRateLimitPerMinute: number;
  /** Audit events older than this many days are purged on a schedule. */
  readonly auditRetentionDays: number;
  /** `risc register` / `risc verify` only: a service-account key file (JSON) for Google's RISC API. */
  readonly riscServiceAccountFile: string | undefined;
}

/**
 * What a command uses (SPEC §10). Settings outside a command's needs are neither read, checked
 * nor required: `publishers show` runs in production without any secret.
 */
export const NEEDS = ['http', 'publicUrl', 'database', 'keys', 'google', 'googleIssuer', 'seren', 'catalog', 'riscServiceAccount'] as const;
export type Need = (typeof NEEDS)[number];

/** The Config fields each need provides; the first group is always there. */
interface FieldsOf {
  always: 'devMode' | 'strict' | 'warnings' | 'logLevel';
  http:
    | 'port' | 'host' | 'trustProxy' | 'metricsToken' | 'identityCacheTtlSeconds' | 'connectTokenTtlSeconds'
    | 'minTokenLifetimeSeconds' | 'rateLimitPerMinute' | 'authRateLimitPerMinute' | 'auditRetentionDays';
  publicUrl: 'publicUrl';
  database: 'databaseUrl' | 'dataDir';
  keys: 'encryptionKeys' | 'dataDir';
  google: 'google';
  googleIssuer: 'googleIssuer';
  seren: 'serenUserinfoUrl';
  catalog: 'catalog';
  riscServiceAccount: 'riscServiceAccountFile';
}
/** The part of the configuration a command with these needs gets. */
export type ConfigFor<N extends Need> = Pick<Config, FieldsOf['always'] | FieldsOf[N]>;

export type Env = Record<string, string | undefined>;

export const DEV_CLIENT = { clientId: 'dev-client-id', clientSecret: 'dev-client-secret' } as const;
export const DEFAULT_GOOGLE_ISSUER = 'https://accounts.google.com';
export const DEFAULT_SEREN_USERINFO_URL = 'https://api.serendb.com/auth/me';
const DEFAULT_PORT = 8787;

/** Thrown with every configuration problem, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
/** Digits only (no sign, decimals, exponents or hex: "0x10" must not quietly mean 16), within bounds. */
const int = (min: number, max: number, dflt: number) =>
  z.preprocess(
    blankIsUnset,
    z.string().optional().transform((value, ctx) => {
      if (value === undefined) return dflt;
      const n = /^\s*\d{1,16}\s*$/.test(value) ? Number(value) : NaN;
      if (n >= min && n <= max) return n;
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }),
  );
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const optional = <T extends z.ZodType>(t: T) => z.preprocess(blankIsUnset, t.optional());

/** An origin: the scheme, host and port only (links and the redirect URI are built on it). */
const origin = z.string().transform((value, ctx) => {
  const url = URL.parse(value.trim());
  if (!url || !/^https?:$/.test(url.protocol)) {
    ctx.addIssue({ code: 'custom', message: 'expected an http:// or https:// origin, e.g. https://auth.example.com' });
    return z.NEVER;
  }
  if (url.username || url.password || url.pathname !== '/' || /[?#]/.test(value)) {
    ctx.addIssue({ code: 'custom', message: `must be an origin (scheme://host[:port]) without a path, query or fragment, e.g. ${url.origin}` });
    return z.NEVER;
  }
  return url.origin;
});

const NODE_ENVS = ['production', 'development', 'test'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  // Exactly one of three words: "Production" or "prod" must not silently mean dev mode.
  NODE_ENV: z.preprocess((v) => (v === '' ? undefined : v), z.enum(NODE_ENVS, {
    error: 'must be exactly "production", "development" or "test", or unset',
  }).optional()),
  PORT: int(0, 65_535, DEFAULT_PORT),
  HOST: z.preprocess(blankIsUnset, z.string().default('127.0.0.1')),
  PUBLIC_URL: optional(origin),
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' })),
  DATA_DIR: z.preprocess(blankIsUnset, z.string().default('./data')),
  TOKEN_ENCRYPTION_KEYS: optional(z.string()),
  GOOGLE_CLIENT_ID: optional(z.string()),
  GOOGLE_CLIENT_SECRET: optional(z.string()),
  GOOGLE_ISSUER: optional(httpUrl),
  SEREN_USERINFO_URL: optional(httpUrl),
  PUBLISHERS_FILE: optional(z.string()),
  LOG_LEVEL: z.preprocess(
    blankIsUnset,
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')} (from the fewest lines to the most; silent: none)` }).default('info'),
  ),
  TRUST_PROXY: optional(z.string()),
  METRICS_TOKEN: optional(z.string().regex(/^\S{16,}$/, 'expected at least 16 characters without spaces (e.g. from `openssl rand -hex 32`)')),
  IDENTITY_CACHE_TTL_SECONDS: int(0, 86_400, 300),
  CONNECT_TOKEN_TTL_SECONDS: int(60, 86_400, 900),
  MIN_TOKEN_LIFETIME_SECONDS: int(0, 3_000, 300),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000, 600),
  AUTH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000, 60),
  AUDIT_RETENTION_DAYS: int(1, 36_500, 90),
  RISC_SERVICE_ACCOUNT_FILE: optional(z.string()),
});
type Variable = keyof typeof envSchema.shape;

/** The variables each need reads; NODE_ENV and LOG_LEVEL are always read. */
const VARIABLES_OF: Record<Need | 'always', readonly Variable[]> = {
  always: ['NODE_ENV', 'LOG_LEVEL'],
  http: [
    'PORT', 'HOST', 'TRUST_PROXY', 'METRICS_TOKEN', 'IDENTITY_CACHE_TTL_SECONDS', 'CONNECT_TOKEN_TTL_SECONDS',
    'MIN_TOKEN_LIFETIME_SECONDS', 'RATE_LIMIT_PER_MINUTE', 'AUTH_RATE_LIMIT_PER_MINUTE', 'AUDIT_RETENTION_DAYS',
  ],
  publicUrl: ['PUBLIC_URL', 'PORT'], // dev default: http://localhost:$PORT
  database: ['DATABASE_URL', 'DATA_DIR'],
  keys: ['TOKEN_ENCRYPTION_KEYS', 'DATABASE_URL', 'DATA_DIR'],
  google: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_ISSUER'],
  googleIssuer: ['GOOGLE_CLIENT_ID', 'GOOGLE_ISSUER'],
  seren: ['SEREN_USERINFO_URL'],
  catalog: ['PUBLISHERS_FILE'],
  riscServiceAccount: ['RISC_SERVICE_ACCOUNT_FILE'],
};

/** Values that may hold a secret (a password in DATABASE_URL) are never echoed. */
const SECRET_VARIABLES = new Set<string>(['DATABASE_URL', 'TOKEN_ENCRYPTION_KEYS', 'GOOGLE_CLIENT_SECRET', 'METRICS_TOKEN']);
const shown = (name: string, value: string | undefined) =>
  SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(value)})`;

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Parses the environment into a frozen Config, or throws a ConfigError listing every problem.
 * With `needs`, only what those needs read is checked and returned (SPEC §10).
 */
export function parseConfig<N extends Need = Need>(env: Env, needs: readonly N[] = NEEDS as readonly Need[] as readonly N[]): ConfigFor<N> {
  const uses = (need: Need) => (needs as readonly Need[]).includes(need);
  const read = new Set<Variable>([...VARIABLES_OF.always, ...(needs as readonly Need[]).flatMap((n) => VARIABLES_OF[n])]);

  // Each variable on its own, so one bad value does not hide the others.
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape) as Array<[Variable, z.ZodType]>) {
    if (!read.has(name)) continue;
    const result = schema.safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}${shown(name, env[name])}`);
  }
  // A variable that failed above is undefined here; the checks below tolerate that.
  const e = values as Partial<z.infer<typeof envSchema>>;

  const strict = e.NODE_ENV === 'production';
  const given = (name: Variable) => blankIsUnset(env[name]) !== undefined;
  const devMode = !given('GOOGLE_CLIENT_ID');
  const warnings: string[] = [];
  const need = (ok: boolean, problem: string) => ok || problems.push(problem);
  const out: Record<string, unknown> = { devMode, strict, warnings, logLevel: e.LOG_LEVEL };

  if (uses('http')) {
    const trust = parseTrustProxy(e.TRUST_PROXY);
    if ('problem' in trust) problems.push(`TRUST_PROXY: ${trust.problem}${shown('TRUST_PROXY', env.TRUST_PROXY)}`);
    else if (trust.value === true) warnings.push(TRUST_EVERY_HOP_WARNING);
    Object.assign(out, {
      port: e.PORT,
      host: e.HOST,
      trustProxy: 'value' in trust ? trust.value : false,
      metricsToken: e.METRICS_TOKEN,
      identityCacheTtlSeconds: e.IDENTITY_CACHE_TTL_SECONDS,
      connectTokenTtlSeconds: e.CONNECT_TOKEN_TTL_SECONDS,
      minTokenLifetimeSeconds: e.MIN_TOKEN_LIFETIME_SECONDS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      authRateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
      auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    });
  }

  if (uses('publicUrl')) {
    // Unset: http://localhost:$PORT, so PORT alone gives a working dev instance.
    const publicUrl = e.PUBLIC_URL ?? (given('PUBLIC_URL') ? undefined : `http://localhost:${e.PORT ?? DEFAULT_PORT}`);
    need(!strict || publicUrl === undefined || publicUrl.startsWith('https://'), `PUBLIC_URL: must be an https:// URL in production (got ${JSON.stringify(publicUrl)})`);
    out.publicUrl = publicUrl;
  }

  const issuer = trimSlash(e.GOOGLE_ISSUER ?? DEFAULT_GOOGLE_ISSUER);
  if (uses('google') || uses('googleIssuer')) {
    need(!(strict && devMode), 'GOOGLE_CLIENT_ID: required when NODE_ENV=production (dev mode is refused in production)');
    need(!devMode || e.GOOGLE_ISSUER === undefined, 'GOOGLE_ISSUER: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET too (without them the built-in emulated Google is used)');
    need(!strict || issuer.startsWith('https://'), 'GOOGLE_ISSUER: must be an https:// URL in production');
    out.googleIssuer = devMode ? undefined : issuer;
  }
  if (uses('google')) {
    need(devMode || e.GOOGLE_CLIENT_SECRET !== undefined, 'GOOGLE_CLIENT_SECRET: required when GOOGLE_CLIENT_ID is set');
    need(!devMode || e.GOOGLE_CLIENT_SECRET === undefined, 'GOOGLE_CLIENT_SECRET: set GOOGLE_CLIENT_ID too');
    out.google = Object.freeze(
      devMode ? { ...DEV_CLIENT, issuer: undefined } : { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, issuer },
    );
  }

  if (uses('seren')) {
    need(!strict || (e.SEREN_USERINFO_URL ?? DEFAULT_SEREN_USERINFO_URL).startsWith('https://'), 'SEREN_USERINFO_URL: must be an https:// URL in production');
    out.serenUserinfoUrl = e.SEREN_USERINFO_URL ?? (devMode ? undefined : DEFAULT_SEREN_USERINFO_URL);
  }

  if (uses('database')) {
    need(
      !strict || given('DATABASE_URL'),
      'DATABASE_URL: required in production (a postgres:// URL: instances share it, and it outlives the container; the embedded database is for development)',
    );
  }
  if (uses('database') || uses('keys')) Object.assign(out, { databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR });

  if (uses('keys')) {
    need(!strict || e.TOKEN_ENCRYPTION_KEYS !== undefined, 'TOKEN_ENCRYPTION_KEYS: required in production (generate one with `seren-google-auth keys generate`)');
    need(
      strict || !given('DATABASE_URL') || e.TOKEN_ENCRYPTION_KEYS !== undefined,
      'TOKEN_ENCRYPTION_KEYS: required when DATABASE_URL is set (instances sharing a database must share keys; generate one with `seren-google-auth keys generate`)',
    );
    out.encryptionKeys = undefined;
    if (e.TOKEN_ENCRYPTION_KEYS !== undefined) {
      try {
        out.encryptionKeys = Object.freeze(parseKeySpecs(e.TOKEN_ENCRYPTION_KEYS));
      } catch (err) {
        problems.push(`TOKEN_ENCRYPTION_KEYS: ${(err as Error).message}`);
      }
    }
  }

  if (uses('catalog')) {
    try {
      out.catalog = loadCatalog(e.PUBLISHERS_FILE);
    } catch (err) {
      problems.push(`PUBLISHERS_FILE: ${(err as Error).message}`);
    }
  }

  // Optional even for the commands that use it: they say what it is for when it is missing.
  if (uses('riscServiceAccount')) out.riscServiceAccountFile = e.RISC_SERVICE_ACCOUNT_FILE;

  // One line per problem, in the order of the variables, whichever check found it.
  const order = (p: string) => Object.keys(envSchema.shape).indexOf(p.slice(0, p.indexOf(':')));
  if (problems.length > 0) throw new ConfigError(problems.sort((a, b) => order(a) - order(b)));
  Object.freeze(warnings);
  return Object.freeze(out) as unknown as ConfigFor<N>;
}
