import { z } from 'zod';
import { type Catalog, loadCatalog } from '../publishers/catalog.js';
import { type KeySpec, parseKeySpecs } from '../crypto/keyring.js';

/** The whole configuration, parsed once at start (SPEC §2). Only main.ts reads process.env. */
export interface Config {
  /** No GOOGLE_CLIENT_ID: the built-in emulated Google and dev identities are used. */
  readonly devMode: boolean;
  /** NODE_ENV=production: refuses anything unsafe (SPEC §9). */
  readonly strict: boolean;
  readonly port: number;
  readonly host: string;
  /** External base URL without a trailing slash. */
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
  /** Undefined in dev mode: `seren_dev_<name>` keys are accepted instead. */
  readonly serenUserinfoUrl: string | undefined;
  readonly catalog: Catalog;
  readonly logLevel: string;
  readonly trustProxy: boolean;
  readonly identityCacheTtlSeconds: number;
  readonly connectTokenTtlSeconds: number;
  readonly minTokenLifetimeSeconds: number;
  readonly rateLimitPerMinute: number;
  readonly authRateLimitPerMinute: number;
}

export type Env = Record<string, string | undefined>;

export const DEV_CLIENT = { clientId: 'dev-client-id', clientSecret: 'dev-client-secret' } as const;
export const DEFAULT_GOOGLE_ISSUER = 'https://accounts.google.com';
export const DEFAULT_SEREN_USERINFO_URL = 'https://api.serendb.com/auth/me';

/** Thrown with every configuration problem, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const int = (min: number, max: number, dflt: number) =>
  z.preprocess(blankIsUnset, z.coerce.number().int().min(min).max(max).default(dflt));
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const optional = <T extends z.ZodType>(t: T) => z.preprocess(blankIsUnset, t.optional());

const envSchema = z.object({
  PORT: int(0, 65_535, 8787),
  HOST: z.preprocess(blankIsUnset, z.string().default('127.0.0.1')),
  PUBLIC_URL: z.preprocess(blankIsUnset, httpUrl.default('http://localhost:8787')),
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' })),
  DATA_DIR: z.preprocess(blankIsUnset, z.string().default('./data')),
  TOKEN_ENCRYPTION_KEYS: optional(z.string()),
  GOOGLE_CLIENT_ID: optional(z.string()),
  GOOGLE_CLIENT_SECRET: optional(z.string()),
  GOOGLE_ISSUER: optional(httpUrl),
  SEREN_USERINFO_URL: optional(httpUrl),
  PUBLISHERS_FILE: optional(z.string()),
  NODE_ENV: optional(z.string()),
  LOG_LEVEL: z.preprocess(
    blankIsUnset,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  TRUST_PROXY: z.preprocess(blankIsUnset, z.enum(['true', 'false', '1', '0']).default('false')),
  IDENTITY_CACHE_TTL_SECONDS: int(0, 86_400, 300),
  CONNECT_TOKEN_TTL_SECONDS: int(60, 86_400, 900),
  MIN_TOKEN_LIFETIME_SECONDS: int(0, 3_000, 300),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000, 600),
  AUTH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000, 60),
});

/** Values that may hold a secret (a password in DATABASE_URL) are never echoed. */
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'TOKEN_ENCRYPTION_KEYS', 'GOOGLE_CLIENT_SECRET']);
const shown = (name: string, value: string | undefined) =>
  SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(value)})`;

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Parses the environment into a frozen Config, or throws a ConfigError listing every problem. */
export function parseConfig(env: Env): Config {
  // Each variable on its own, so one bad value does not hide the others.
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}${shown(name, env[name])}`);
  }
  // A variable that failed above is undefined here; the checks below tolerate that.
  const e = values as z.infer<typeof envSchema>;

  const strict = e.NODE_ENV === 'production';
  const devMode = e.GOOGLE_CLIENT_ID === undefined;
  const need = (ok: boolean, problem: string) => ok || problems.push(problem);

  need(!(strict && devMode), 'GOOGLE_CLIENT_ID: required when NODE_ENV=production (dev mode is refused in production)');
  need(devMode || e.GOOGLE_CLIENT_SECRET !== undefined, 'GOOGLE_CLIENT_SECRET: required when GOOGLE_CLIENT_ID is set');
  need(!devMode || e.GOOGLE_ISSUER === undefined, 'GOOGLE_ISSUER: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET too (without them the built-in emulated Google is used)');
  need(!devMode || e.GOOGLE_CLIENT_SECRET === undefined, 'GOOGLE_CLIENT_SECRET: set GOOGLE_CLIENT_ID too');
  if (strict) {
    need(e.PUBLIC_URL?.startsWith('https://') !== false, `PUBLIC_URL: must be an https:// URL in production (got ${e.PUBLIC_URL})`);
    need((e.GOOGLE_ISSUER ?? DEFAULT_GOOGLE_ISSUER).startsWith('https://'), 'GOOGLE_ISSUER: must be an https:// URL in production');
    need((e.SEREN_USERINFO_URL ?? DEFAULT_SEREN_USERINFO_URL).startsWith('https://'), 'SEREN_USERINFO_URL: must be an https:// URL in production');
    need(e.TOKEN_ENCRYPTION_KEYS !== undefined, 'TOKEN_ENCRYPTION_KEYS: required in production (generate one with `seren-google-auth keys generate`)');
  }
  need(
    strict || e.DATABASE_URL === undefined || e.TOKEN_ENCRYPTION_KEYS !== undefined,
    'TOKEN_ENCRYPTION_KEYS: required when DATABASE_URL is set (instances sharing a database must share keys; generate one with `seren-google-auth keys generate`)',
  );

  let encryptionKeys: KeySpec[] | undefined;
  if (e.TOKEN_ENCRYPTION_KEYS !== undefined) {
    try {
      encryptionKeys = parseKeySpecs(e.TOKEN_ENCRYPTION_KEYS);
    } catch (err) {
      problems.push(`TOKEN_ENCRYPTION_KEYS: ${(err as Error).message}`);
    }
  }

  let catalog: Catalog | undefined;
  try {
    catalog = loadCatalog(e.PUBLISHERS_FILE);
  } catch (err) {
    problems.push(`PUBLISHERS_FILE: ${(err as Error).message}`);
  }

  if (problems.length > 0 || !catalog) throw new ConfigError(problems);

  return Object.freeze({
    devMode,
    strict,
    port: e.PORT,
    host: e.HOST,
    publicUrl: trimSlash(e.PUBLIC_URL),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    encryptionKeys: encryptionKeys && Object.freeze(encryptionKeys),
    google: Object.freeze(
      devMode
        ? { ...DEV_CLIENT, issuer: undefined }
        : { clientId: e.GOOGLE_CLIENT_ID!, clientSecret: e.GOOGLE_CLIENT_SECRET!, issuer: trimSlash(e.GOOGLE_ISSUER ?? DEFAULT_GOOGLE_ISSUER) },
    ),
    serenUserinfoUrl: e.SEREN_USERINFO_URL ?? (devMode ? undefined : DEFAULT_SEREN_USERINFO_URL),
    catalog,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === 'true' || e.TRUST_PROXY === '1',
    identityCacheTtlSeconds: e.IDENTITY_CACHE_TTL_SECONDS,
    connectTokenTtlSeconds: e.CONNECT_TOKEN_TTL_SECONDS,
    minTokenLifetimeSeconds: e.MIN_TOKEN_LIFETIME_SECONDS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    authRateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
  });
}
