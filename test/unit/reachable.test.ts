import { describe, expect, it } from 'vitest';
import { exchangeUrlProblem, isLoopback, isPrivateHost, serenApiUrlProblem } from '../../src/publishers/reachable.js';

const SEREN = 'https://api.serendb.com';

describe('which exchange URLs publishers sync may send to Seren', () => {
  it('sends a public https:// origin anywhere', () => {
    expect(exchangeUrlProblem('https://auth.example.com', SEREN)).toBeUndefined();
    expect(exchangeUrlProblem('https://203.0.113.7:8443', SEREN)).toBeUndefined();
  });

  it.each([
    ['http://localhost:8787', 'is not https://'], // the default when PUBLIC_URL is unset
    ['http://auth.example.com', 'is not https://'],
    ['https://localhost:8787', 'loopback or private'],
    ['https://127.0.0.1', 'loopback or private'],
    ['https://10.1.2.3', 'loopback or private'],
    ['https://172.20.0.5', 'loopback or private'],
    ['https://192.168.1.10', 'loopback or private'],
    ['https://169.254.169.254', 'loopback or private'],
    ['https://[::1]', 'loopback or private'],
    ['https://[fd12::1]', 'loopback or private'],
    ['https://[::ffff:10.0.0.1]', 'loopback or private'],
    ['https://auth-service', 'loopback or private'],
    ['https://auth.svc.internal', 'loopback or private'],
    ['https://printer.local', 'loopback or private'],
  ])('refuses %s towards a remote Seren, naming PUBLIC_URL', (publicUrl, why) => {
    const problem = exchangeUrlProblem(publicUrl, SEREN);
    expect(problem).toMatch(/^PUBLIC_URL: /);
    expect(problem).toContain(why);
    expect(problem).toContain('Set PUBLIC_URL to');
  });

  it('lets anything through towards a Seren on loopback (a local test)', () => {
    for (const seren of ['http://127.0.0.1:9000', 'http://localhost:9000', 'http://[::1]:9000']) {
      expect(exchangeUrlProblem('http://localhost:8787', seren)).toBeUndefined();
    }
  });

  it('sends SEREN_API_KEY over plain HTTP to loopback only', () => {
    expect(serenApiUrlProblem('http://127.0.0.1:9000')).toBeUndefined();
    expect(serenApiUrlProblem(SEREN)).toBeUndefined();
    expect(serenApiUrlProblem('http://api.serendb.com')).toMatch(/must be https:\/\//);
  });

  it('classifies hosts', () => {
    expect(isLoopback(new URL('http://127.8.9.1'))).toBe(true);
    expect(isLoopback(new URL('http://10.0.0.1'))).toBe(false);
    expect(isPrivateHost(new URL('https://8.8.8.8'))).toBe(false);
    expect(isPrivateHost(new URL('https://100.64.1.1'))).toBe(true);
  });
});
