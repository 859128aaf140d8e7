const MAX_CAUSE_LENGTH = 200;

/**
 * Why a `fetch` failed, in a few words: the system or TLS error code with its message
 * ("ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1", "CERT_HAS_EXPIRED: certificate has expired",
 * "ENOTFOUND: getaddrinfo ENOTFOUND accounts.example"), or "timed out". undici hides it in
 * `cause` (sometimes an AggregateError of one error per address). Only codes and messages are
 * read: never headers or bodies.
 */
export function networkCause(err: unknown): string | undefined {
  let current: unknown = err;
  let fallback: string | undefined;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.name === 'TimeoutError') return 'timed out';
    const code = (current as { code?: unknown }).code;
    const message = current.message || (current instanceof AggregateError ? (current.errors[0] as Error | undefined)?.message : '') || '';
    if (typeof code === 'string' && code !== 'UND_ERR') return clip(message && !message.startsWith(code) ? `${code}: ${message}` : message || code);
    if (message && message !== 'fetch failed') fallback = message;
    current = current.cause ?? (current instanceof AggregateError ? current.errors[0] : undefined);
  }
  return fallback && clip(fallback);
}

const clip = (s: string) => (s.length > MAX_CAUSE_LENGTH ? `${s.slice(0, MAX_CAUSE_LENGTH - 1)}…` : s);
