import { describe, expect, it } from 'vitest';
import { ConfigError, type Need, parseConfig } from '../../src/config/config.js';
import { generateKeySpec } from '../../src/crypto/keyring.js';

const problemsOf = (env: Record<string, string>, needs?: Need[]) => {
  try {
    parseConfig(env, needs);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

const PROD = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://auth.example.com',
  GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com',
  GOOGLE_CLIENT_SECRET: 'secret',
  TOKEN_ENCRYPTION_KEYS: generateKeySpec('k1'),
  DATABASE_URL: 'postgres://app:pw@db.internal:5432/auth',
};

describe('configuration', () => {
  it('needs nothing for dev mode', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ devMode: true, strict: false, port: 8787, host: '127.0.0.1', publicUrl: 'http://localhost:8787', encryptionKeys: undefined });
    expect(c.google.issuer).toBeUndefined();
    expect(c.serenUserinfoUrl).toBeUndefined();
    expect([...c.catalog.keys()]).toEqual(['gmail', 'google-calendar']);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('accepts a complete production configuration', () => {
    const c = parseConfig(PROD);
    expect(c).toMatchObject({ devMode: false, strict: true, publicUrl: 'https://auth.example.com' });
    expect(c.google.issuer).toBe('https://accounts.google.com');
    expect(c.serenUserinfoUrl).toBe('https://api.serendb.com/auth/me');
  });

  it('lists every invalid variable at once, one line each, naming it', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x', RATE_LIMIT_PER_MINUTE: '0', TRUST_PROXY: 'yes' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'PUBLIC_URL', 'LOG_LEVEL', 'TRUST_PROXY', 'RATE_LIMIT_PER_MINUTE']);
    expect(problems[0]).toContain('"eighty"');
  });

  it('refuses dev mode, http URLs and missing keys in production, listing all problems', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PUBLIC_URL: 'http://auth.example.com', SEREN_USERINFO_URL: 'http://seren.internal/me' });
    expect(problems).toEqual([
      expect.stringMatching(/^PUBLIC_URL: must be an https:\/\/ URL/),
      expect.stringMatching(/^DATABASE_URL: required in production/),
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEYS: required in production/),
      expect.stringMatching(/^GOOGLE_CLIENT_ID: required when NODE_ENV=production/),
      expect.stringMatching(/^SEREN_USERINFO_URL: must be an https:\/\/ URL/),
    ]);
    expect(problemsOf({ ...PROD, GOOGLE_ISSUER: 'http://idp.internal' })).toEqual([expect.stringMatching(/^GOOGLE_ISSUER: must be an https/)]);
    expect(problemsOf({ ...PROD, GOOGLE_CLIENT_SECRET: '' })).toEqual([expect.stringMatching(/^GOOGLE_CLIENT_SECRET: required/)]);
  });

  it('requires keys when instances may share a database', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://localhost/x' })).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEYS: required when DATABASE_URL is set/)]);
  });

  it('never echoes a secret value in a problem', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://user:hunter2@h/db', TOKEN_ENCRYPTION_KEYS: 'k1:dG9vc2hvcnQ=' });
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.join('\n')).not.toContain('dG9vc2hvcnQ');
    expect(problems).toEqual([expect.stringMatching(/^DATABASE_URL:/), expect.stringMatching(/^TOKEN_ENCRYPTION_KEYS: key "k1" must be 32 bytes/)]);
  });

  it('validates the publisher catalog file', () => {
    expect(problemsOf({ PUBLISHERS_FILE: '/nonexistent/publishers.json' })).toEqual([expect.stringMatching(/^PUBLISHERS_FILE: .*could not be read/)]);
  });

  it('rejects a Google issuer or secret without a client id', () => {
    expect(problemsOf({ GOOGLE_ISSUER: 'https://idp.example.com' })).toEqual([expect.stringMatching(/^GOOGLE_ISSUER: set GOOGLE_CLIENT_ID/)]);
  });
});

describe('NODE_ENV', () => {
  it.each(['Production', 'prod', 'PRODUCTION', 'production ', ' production', 'staging', ' '])('refuses %j instead of silently running dev mode', (value) => {
    expect(problemsOf({ ...PROD, NODE_ENV: value })).toEqual([
      `NODE_ENV: must be exactly "production", "development" or "test", or unset (got ${JSON.stringify(value)})`,
    ]);
    // Even for a command that needs nothing else.
    expect(() => parseConfig({ NODE_ENV: value }, [])).toThrow(ConfigError);
  });

  it('accepts development, test, an empty value or none, none of which is strict', () => {
    for (const NODE_ENV of ['development', 'test', '']) expect(parseConfig({ NODE_ENV }).strict).toBe(false);
    expect(parseConfig({}).strict).toBe(false);
  });
});

describe('TRUST_PROXY', () => {
  const trust = (TRUST_PROXY: string) => parseConfig({ TRUST_PROXY });

  it('takes false, a hop count, or a list of addresses and CIDRs', () => {
    expect(trust('false').trustProxy).toBe(false);
    expect(trust('0').trustProxy).toBe(false);
    expect(trust('1').trustProxy).toBe(1);
    expect(trust('2').trustProxy).toBe(2);
    expect(trust('10.0.0.5, 10.1.0.0/16,::1,fd00::/8,loopback').trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8', 'loopback']);
    expect(parseConfig({}).trustProxy).toBe(false);
    expect(trust('1').warnings).toEqual([]);
  });

  it('accepts true (every hop) with a start-up warning', () => {
    const c = trust('true');
    expect(c.trustProxy).toBe(true);
    expect(c.warnings).toEqual([expect.stringMatching(/^TRUST_PROXY=true trusts every hop/)]);
  });

  it.each(['yes', '10.0.0.1/33', '999.1.1.1', '-1', '100', '10.0.0.1,', 'proxy.internal'])('refuses %j, saying what it takes', (value) => {
    expect(problemsOf({ TRUST_PROXY: value })).toEqual([expect.stringMatching(/^TRUST_PROXY: /)]);
  });
});

describe('PUBLIC_URL', () => {
  it('defaults to localhost on PORT, so PORT alone gives a working dev instance', () => {
    expect(parseConfig({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000');
    expect(parseConfig({}).publicUrl).toBe('http://localhost:8787');
  });

  it('is an origin: a trailing slash is dropped, a path, query, fragment or user is refused', () => {
    expect(parseConfig({ PUBLIC_URL: 'https://Auth.Example.com:8443/' }).publicUrl).toBe('https://auth.example.com:8443');
    for (const bad of ['https://auth.example.com/google', 'https://auth.example.com/?x=1', 'https://auth.example.com#top', 'https://u:p@auth.example.com', 'auth.example.com']) {
      expect(problemsOf({ PUBLIC_URL: bad }), bad).toEqual([expect.stringMatching(/^PUBLIC_URL: .*(origin|without a path)/)]);
    }
  });
});

describe('production', () => {
  it('requires DATABASE_URL: the embedded database would vanish with the container', () => {
    const { DATABASE_URL: _, ...withoutDatabase } = PROD;
    expect(problemsOf(withoutDatabase)).toEqual([expect.stringMatching(/^DATABASE_URL: required in production/)]);
  });
});

describe('METRICS_TOKEN', () => {
  it('is optional, must be long enough, and is never echoed', () => {
    expect(parseConfig({}).metricsToken).toBeUndefined();
    expect(parseConfig({ METRICS_TOKEN: 'm'.repeat(32) }).metricsToken).toBe('m'.repeat(32));
    const problems = problemsOf({ METRICS_TOKEN: 'short-secret' });
    expect(problems).toEqual([expect.stringMatching(/^METRICS_TOKEN: expected at least 16 characters/)]);
    expect(problems.join()).not.toContain('short-secret');
  });
});

describe('each command asks only for the settings it uses', () => {
  const bareProduction = { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com' };

  it('publishers show needs no secret, even in production', () => {
    const c = parseConfig(bareProduction, ['publicUrl', 'catalog']);
    expect(c.publicUrl).toBe('https://auth.example.com');
    expect(Object.keys(c).sort()).toEqual(['catalog', 'devMode', 'logLevel', 'publicUrl', 'strict', 'warnings']);
    // ...but still will not hand Seren an http:// URL in production.
    expect(() => parseConfig({ NODE_ENV: 'production' }, ['publicUrl'])).toThrow(/PUBLIC_URL: must be an https/);
  });

  it("risc register and verify need Google's issuer, never the client secret", () => {
    const c = parseConfig({ ...bareProduction, GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com' }, ['publicUrl', 'googleIssuer', 'riscServiceAccount']);
    expect(c.googleIssuer).toBe('https://accounts.google.com');
    expect(Object.keys(c)).not.toContain('google');
    expect(problemsOf(bareProduction, ['googleIssuer'])).toEqual([expect.stringMatching(/^GOOGLE_CLIENT_ID: required/)]);
    expect(problemsOf({ ...bareProduction, GOOGLE_CLIENT_ID: 'c', GOOGLE_ISSUER: 'http://idp.example' }, ['googleIssuer'])).toEqual([expect.stringMatching(/^GOOGLE_ISSUER: must be an https/)]);
    expect(parseConfig({}, ['googleIssuer']).googleIssuer).toBeUndefined(); // dev mode: the emulator under PUBLIC_URL
  });

  it('migrate needs the database only; keys rotate the database and the keys', () => {
    expect(problemsOf({ NODE_ENV: 'production' }, ['database'])).toEqual([expect.stringMatching(/^DATABASE_URL: required/)]);
    expect(problemsOf({ NODE_ENV: 'production' }, ['database', 'keys'])).toEqual([
      expect.stringMatching(/^DATABASE_URL: required/),
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEYS: required/),
    ]);
    expect(parseConfig({ NODE_ENV: 'production', DATABASE_URL: PROD.DATABASE_URL, PORT: 'not-read' }, ['database']).databaseUrl).toBe(PROD.DATABASE_URL);
  });

  it('settings outside the needs are not checked', () => {
    expect(() => parseConfig({ PORT: 'x', TRUST_PROXY: 'yes', GOOGLE_ISSUER: 'nope' }, ['database'])).not.toThrow();
  });
});
