import { HANDLED_EVENT_URIS, PUSH_DELIVERY_METHOD } from './event-types.js';

/** A RISC API call that failed; the message says what Google said and what to do. */
export class RiscApiError extends Error {}

/** The stream configuration `risc register` sends to `stream:update`: push to our receiver, every event we handle. */
export function streamConfiguration(receiverUrl: string) {
  return { delivery: { delivery_method: PUSH_DELIVERY_METHOD, url: receiverUrl }, events_requested: [...HANDLED_EVENT_URIS] };
}

const TIMEOUT_MS = 15_000;

/** POSTs JSON to a RISC API endpoint with the service account's bearer; Google's failures become RiscApiError. */
export async function callRiscApi(endpoint: string, bearer: string, body: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? 'timed out' : `is unreachable (${(err as Error).message})`;
    throw new RiscApiError(`the RISC API at ${endpoint} ${why}; nothing was changed, retry later`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new RiscApiError(explain(res.status, googleMessage(json) ?? text.slice(0, 200)));
  return json;
}

function googleMessage(json: unknown): string | undefined {
  const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

function explain(status: number, said: string): string {
  const quoted = said ? `: "${said}"` : '';
  if (status === 401) {
    return `Google refused the service account's token (HTTP 401${quoted}). Check that RISC_SERVICE_ACCOUNT_FILE holds a current key of the service account (deleted keys stop working) and that this machine's clock is right.`;
  }
  if (status === 403) {
    const hint = /permission/i.test(said)
      ? 'Give the service account the RISC Configuration Admin role (roles/riscconfigs.admin) in the project of GOOGLE_CLIENT_ID.'
      : /https/i.test(said)
        ? 'PUBLIC_URL must be an https:// address that Google can reach.'
        : /domain/i.test(said)
          ? "Add PUBLIC_URL's domain to the authorized domains of the project's OAuth consent screen."
          : 'Check that the RISC API (risc.googleapis.com) is enabled in the project of GOOGLE_CLIENT_ID and that the service account belongs to that project and has the RISC Configuration Admin role.';
    return `Google refused the request (HTTP 403${quoted}). ${hint}`;
  }
  if (status === 404) return `Google has no event stream for this project (HTTP 404${quoted}); run \`seren-google-auth risc register\` first.`;
  if (status === 429 || status >= 500) return `Google's RISC API is unavailable (HTTP ${status}${quoted}); nothing was changed, retry later.`;
  return `Google refused the request (HTTP ${status}${quoted}).`;
}
