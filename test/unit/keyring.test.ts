import { describe, expect, it } from 'vitest';
import { DecryptError, Keyring, generateKeySpec, parseKeySpecs } from '../../src/crypto/keyring.js';

const ring = (...specs: string[]) => new Keyring(parseKeySpecs(specs.join(',')));

describe('keyring', () => {
  const k1 = generateKeySpec('k1');
  const k2 = generateKeySpec('k2');

  it('round-trips a value for its owner, with a random IV and the key id inside', () => {
    const keys = ring(k1);
    const a = keys.seal('1//refresh-token', 'user-a');
    const b = keys.seal('1//refresh-token', 'user-a');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1.k1.')).toBe(true);
    expect(a).not.toContain('refresh-token');
    expect(keys.open(a, 'user-a')).toBe('1//refresh-token');
  });

  it('fails to open a value moved to another user', () => {
    const keys = ring(k1);
    expect(() => keys.open(keys.seal('secret', 'user-a'), 'user-b')).toThrow(DecryptError);
  });

  it('fails on a tampered ciphertext or an unknown key id', () => {
    const keys = ring(k1);
    const sealed = keys.seal('secret', 'u');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    expect(() => keys.open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'u')).toThrow(DecryptError);
    expect(() => ring(k2).open(sealed, 'u')).toThrow(/no key "k1"/);
  });

  it('seals with the first key and opens with any', () => {
    const old = ring(k1).seal('secret', 'u');
    const rotated = ring(k2, k1);
    expect(rotated.open(old, 'u')).toBe('secret');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.seal('secret', 'u').startsWith('v1.k2.')).toBe(true);
  });

  it('explains malformed key lists', () => {
    expect(() => parseKeySpecs('nocolon')).toThrow(/kid:base64/);
    expect(() => parseKeySpecs('k1:AAAA')).toThrow(/32 bytes/);
    expect(() => parseKeySpecs(`${k1},${k1}`)).toThrow(/appears twice/);
  });
});
