import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

/** Phrases of the validation library: an operator should never have to decode them. */
const LIBRARY_WORDS = /Invalid input|Invalid option|Invalid string|expected number|expected int|received|Too small|Too big|NaN/;

describe('configuration problems, in the project\'s own words', () => {
  it('PORT=abc says what a port must be', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT: must be a whole number from 0 to 65535 (got "abc")']);
  });

  it('every number setting names its range, and refuses hex, exponents, signs and decimals', () => {
    for (const value of ['abc', '0x10', '1e3', '-1', '1.5', '99999999999']) {
      for (const name of ['PORT', 'IDENTITY_CACHE_TTL_SECONDS', 'CONNECT_TOKEN_TTL_SECONDS', 'MIN_TOKEN_LIFETIME_SECONDS', 'RATE_LIMIT_PER_MINUTE', 'AUTH_RATE_LIMIT_PER_MINUTE']) {
        const [problem, ...rest] = problemsOf({ [name]: value });
        expect(rest, name).toEqual([]);
        expect(problem, `${name}=${value}`).toMatch(new RegExp(`^${name}: must be a whole number from \\d+ to \\d+ \\(got "${value.replace('.', '\\.')}"\\)$`));
      }
    }
    expect(parseConfig({ PORT: ' 8080 ' }).port).toBe(8080);
  });

  it('LOG_LEVEL lists the levels', () => {
    const [problem] = problemsOf({ LOG_LEVEL: 'loud' });
    expect(problem).toMatch(/^LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent\b/);
  });

  it('TRUST_PROXY lists its forms', () => {
    const [problem] = problemsOf({ TRUST_PROXY: 'maybe' });
    expect(problem).toContain('false');
    expect(problem).toContain('hop count');
    expect(problem).toContain('CIDR');
  });

  it('no problem is worded by the validation library', () => {
    const problems = problemsOf({
      PORT: 'x', HOST: '', PUBLIC_URL: 'nope', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'x', TRUST_PROXY: 'x', NODE_ENV: 'x',
      GOOGLE_ISSUER: 'ftp://x', SEREN_USERINFO_URL: 'x', METRICS_TOKEN: 'x', IDENTITY_CACHE_TTL_SECONDS: 'x',
      CONNECT_TOKEN_TTL_SECONDS: 'x', MIN_TOKEN_LIFETIME_SECONDS: 'x', RATE_LIMIT_PER_MINUTE: 'x', AUTH_RATE_LIMIT_PER_MINUTE: 'x',
    });
    expect(problems.length).toBeGreaterThan(10);
    for (const p of problems) expect(p).not.toMatch(LIBRARY_WORDS);
  });
});
