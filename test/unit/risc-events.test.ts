import { describe, expect, it } from 'vitest';
import { RISC_EVENTS } from '../../src/risc/event-types.js';
import { parseEvents } from '../../src/risc/events.js';
import { SetRejected, type VerifiedSet } from '../../src/risc/set-verifier.js';

const set = (events: Record<string, unknown>) => ({ issuer: 'https://accounts.google.com', jti: 'j', issuedAt: 0, events }) as unknown as VerifiedSet;
const uri = (name: keyof typeof RISC_EVENTS) => RISC_EVENTS[name].uri;
const rejected = (events: Record<string, unknown>) => {
  try {
    parseEvents(set(events));
  } catch (err) {
    return err instanceof SetRejected ? err.err : 'other error';
  }
  return 'accepted';
};

describe('parseEvents', () => {
  it('reads Google’s iss-sub, RFC 9493’s iss_sub and id_token_claims subjects alike', () => {
    const subject = { iss: 'https://accounts.google.com/', sub: '123' };
    const forms: Array<[string, Record<string, string>]> = [
      ['iss-sub', { subject_type: 'iss-sub', ...subject }],
      ['iss_sub', { format: 'iss_sub', ...subject }],
      ['id_token_claims', { subject_type: 'id_token_claims', email: 'a@b.c', ...subject }],
    ];
    for (const [subjectType, s] of forms) {
      expect(parseEvents(set({ [uri('account-disabled')]: { subject: s, reason: 'bulk-account' } }))).toEqual([
        { kind: 'account', name: 'account-disabled', subject, subjectType, reason: 'bulk-account' },
      ]);
    }
  });

  it('keeps a subject it cannot match (email, phone) as none: accepted, matches nothing', () => {
    const [event] = parseEvents(set({ [uri('tokens-revoked')]: { subject: { subject_type: 'email', email: 'a@b.c' } } }));
    expect(event).toMatchObject({ kind: 'account', subject: undefined, subjectType: 'email' });
  });

  it('reads token-revoked identifiers for refresh tokens only', () => {
    const token = (s: Record<string, unknown>) => parseEvents(set({ [uri('token-revoked')]: { subject: { subject_type: 'oauth_token', token: 'x', ...s } } }))[0];
    expect(token({ token_type: 'refresh_token', token_identifier_alg: 'prefix' })).toMatchObject({ identifier: { alg: 'prefix', token: 'x' } });
    expect(token({ token_identifier_alg: 'hash_base64_sha512_sha512' })).toMatchObject({ identifier: { alg: 'hash_base64_sha512_sha512', token: 'x' } });
    expect(token({ token_type: 'access_token', token_identifier_alg: 'prefix' })).toMatchObject({ identifier: undefined });
    expect(token({ token_identifier_alg: 'plain' })).toMatchObject({ identifier: undefined });
  });

  it('refuses payloads that do not conform to their event’s definition with invalid_request', () => {
    expect(rejected({ [uri('account-disabled')]: 'hijacking' })).toBe('invalid_request');
    expect(rejected({ [uri('account-disabled')]: {} })).toBe('invalid_request');
    expect(rejected({ [uri('account-disabled')]: { subject: { subject_type: 'iss-sub', iss: 'x' } } })).toBe('invalid_request');
    expect(rejected({ [uri('token-revoked')]: { subject: { subject_type: 'oauth_token' } } })).toBe('invalid_request');
    expect(rejected({ [uri('verification')]: { state: 42 } })).toBe('invalid_request');
  });

  it('keeps unknown event types as unknown, and reads the verification state', () => {
    expect(parseEvents(set({ 'https://example.com/new-type': {}, [uri('verification')]: { state: 's1' } }))).toEqual([
      { kind: 'unknown', uri: 'https://example.com/new-type' },
      { kind: 'verification', name: 'verification', state: 's1' },
    ]);
  });
});
