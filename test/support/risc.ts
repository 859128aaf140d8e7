import type { PushRequest, PushResult } from '../../src/emulator/index.js';
import type { Harness } from './harness.js';

/** Has the emulated Google sign an event and push it to this service's receiver. */
export function pushTo(h: Harness, req: Omit<PushRequest, 'receiver'>): Promise<PushResult> {
  return h.google.controls.pushSecurityEvent({ ...req, receiver: `${h.url}/risc/events` });
}

/** POSTs a body to /risc/events as a transmitter would (or would not). */
export async function postSet(h: Harness, body: string, contentType = 'application/secevent+jwt', headers: Record<string, string> = {}) {
  const res = await fetch(`${h.url}/risc/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as { err: string; description: string }) : undefined, headers: res.headers };
}

export interface GrantState {
  status: string;
  hasAccessToken: boolean;
}

export async function grantState(h: Harness, serenUserId: string): Promise<GrantState | undefined> {
  const [row] = await h.service.db.query<{ status: string; access_token_encrypted: string | null }>(
    'SELECT status, access_token_encrypted FROM user_google_tokens WHERE seren_user_id = $1',
    [serenUserId],
  );
  return row && { status: row.status, hasAccessToken: row.access_token_encrypted !== null };
}

export async function auditOf(h: Harness, event: string): Promise<Array<{ seren_user_id: string | null; detail: Record<string, unknown> }>> {
  return h.service.db.query('SELECT seren_user_id, detail FROM audit_events WHERE event = $1 ORDER BY id', [event]);
}

export async function receivedSets(h: Harness): Promise<number> {
  const [row] = await h.service.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM risc_received_sets');
  return row!.n;
}

/** The value of one sample of /metrics, 0 when absent. */
export async function metric(h: Harness, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((w) => inside.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
