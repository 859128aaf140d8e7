import type { Harness } from './harness.js';

/** `POST /token/exchange` as the gateway calls it. */
export function exchange(h: Harness, apiKey: string | undefined, publisher?: string, init: RequestInit = {}): Promise<Response> {
  const query = publisher === undefined ? '' : `?publisher=${encodeURIComponent(publisher)}`;
  return fetch(`${h.url}/token/exchange${query}`, {
    method: 'POST',
    ...init,
    headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...(init.headers as Record<string, string> | undefined) },
  });
}

export async function exchangeJson(h: Harness, apiKey: string, publisher?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await exchange(h, apiKey, publisher);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** The parsed log lines the service wrote. */
export const logLines = (h: Harness) => h.logs.map((l) => JSON.parse(l) as Record<string, unknown> & { level: number; msg: string });

let users = 0;
/** A new active Seren user known to the stand-in: its API key and id. */
export function newUser(h: Harness, fields: { status?: string } = {}): { key: string; id: string } {
  const key = `sk_test_token_user_${++users}_${Math.random().toString(36).slice(2, 10)}`;
  h.seren.addUser(key, fields);
  return { key, id: h.seren.users.get(key)!.id };
}
