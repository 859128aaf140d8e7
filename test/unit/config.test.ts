import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { generateKeySpec } from '../../src/crypto/keyring.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
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
      expect.stringMatching(/^GOOGLE_CLIENT_ID: required when NODE_ENV=production/),
      expect.stringMatching(/^PUBLIC_URL: must be an https:\/\/ URL/),
      expect.stringMatching(/^SEREN_USERINFO_URL: must be an https:\/\/ URL/),
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEYS: required in production/),
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
