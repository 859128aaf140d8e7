import { describe, expect, it } from 'vitest';
import { GRANT_MEMORY_TTL_MS, GrantMemory } from '../../src/tokens/grant-memory.js';
import type { GrantView } from '../../src/tokens/token-store.js';

const view = (serenUserId: string): GrantView => ({ serenUserId, status: 'active', scopes: ['openid'], googleSubject: '1', token: undefined });

describe('the in-memory grant cache', () => {
  it('keeps a copy for GRANT_MEMORY_TTL_MS (absolute expiry on the injected clock)', () => {
    let now = 1_000;
    const memory = new GrantMemory(() => now);
    memory.put(view('u1'), memory.ticket());
    now += GRANT_MEMORY_TTL_MS - 1;
    expect(memory.get('u1')?.serenUserId).toBe('u1');
    now += 1;
    expect(memory.get('u1')).toBeUndefined();
  });

  it('drops a copy at once on invalidation', () => {
    const memory = new GrantMemory(() => 0);
    memory.put(view('u1'), memory.ticket());
    memory.invalidate('u1');
    expect(memory.get('u1')).toBeUndefined();
  });

  it('ignores a database read that raced an invalidation', () => {
    const memory = new GrantMemory(() => 0);
    const ticket = memory.ticket(); // taken before reading the row
    memory.invalidate('u1'); // the grant is deleted meanwhile
    memory.put(view('u1'), ticket); // the read returns the old row
    expect(memory.get('u1')).toBeUndefined();
  });

  it('drops copies that expired unread when it stores the next one (cold load does not pile them up)', () => {
    let now = 0;
    const memory = new GrantMemory(() => now);
    for (let i = 0; i < 500; i++) memory.put(view(`u${i}`), memory.ticket());
    now += GRANT_MEMORY_TTL_MS;
    memory.put(view('fresh'), memory.ticket());
    expect(memory.size).toBe(1);
    expect(memory.get('fresh')?.serenUserId).toBe('fresh');
  });
});
