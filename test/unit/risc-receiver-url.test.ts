import { describe, expect, it } from 'vitest';
import { receiverProblem } from '../../src/risc/receiver-url.js';

const GOOGLE = 'https://risc.googleapis.com/v1beta/stream:update';

describe('receiverProblem (risc register)', () => {
  it('accepts a public https:// receiver for Google', () => {
    expect(receiverProblem('https://auth.example.com/risc/events', GOOGLE)).toBeUndefined();
  });

  it('refuses http:// and loopback or private receivers before asking Google', () => {
    expect(receiverProblem('http://auth.example.com/risc/events', GOOGLE)).toMatch(/must be https:\/\//);
    for (const host of ['localhost', '127.0.0.1', '10.1.2.3', '192.168.0.5', '[::1]', 'auth.internal']) {
      expect(receiverProblem(`https://${host}/risc/events`, GOOGLE), host).toMatch(/loopback or private host/);
    }
  });

  it('lets anything through to a management API on loopback (the emulated Google)', () => {
    expect(receiverProblem('http://localhost:8787/risc/events', 'http://127.0.0.1:8787/_google/risc/v1beta/stream:update')).toBeUndefined();
  });
});
