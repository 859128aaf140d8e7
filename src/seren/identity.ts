import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { ApiError, retryAfter } from '../errors/errors.js';

/** A Seren user as the identity service describes them (SPEC §5). */
export interface SerenUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly status: string;
}

/** Resolves a Seren API key to its user, or throws `invalid_seren_credentials` / `seren_unavailable`. */
export interface IdentityResolver {
  resolve(apiKey: string): Promise<SerenUser>;
}

export const invalidCredentials = () =>
  new ApiError(
    'invalid_seren_credentials',
    'The Seren API key is missing or not valid. Send "Authorization: Bearer <your Seren API key>".',
    {},
    { 'WWW-Authenticate': 'Bearer realm="seren-google-auth"' },
  );

export const serenUnavailable = (why: string) =>
  new ApiError('seren_unavailable', `The Seren identity service is unavailable (${why}); retry shortly.`, {}, retryAfter());

const userSchema = z.object({
  id: z.string().min(1).max(200),
  email: z.string().max(320).default(''),
  name: z.string().max(200).default(''),
  status: z.string().max(40).default('active'),
});
const responseSchema = z.union([z.object({ data: userSchema }).transform((r) => r.data), userSchema]);

const NEGATIVE_TTL_MS = 10_000;
const MAX_CACHED_KEYS = 10_000;
export const SEREN_TIMEOUT_MS = 3_000;

type Entry = { expiresAt: number; user?: SerenUser };

/**
 * Asks `GET $SEREN_USERINFO_URL` with the caller's key. Results are cached under an HMAC of the
 * key with a per-process secret (the key itself is never kept), positive for the configured TTL
 * and negative briefly; concurrent lookups of one key share one request.
 */
export class HttpIdentityResolver implements IdentityResolver {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly hashKey = randomBytes(32);

  constructor(
    private readonly url: string,
    private readonly ttlSeconds: number,
    private readonly now: Clock,
    private readonly timeoutMs = SEREN_TIMEOUT_MS,
  ) {}

  async resolve(apiKey: string): Promise<SerenUser> {
    const id = createHmac('sha256', this.hashKey).update(apiKey).digest('base64url');
    let entry = this.cache.get(id);
    if (!entry || entry.expiresAt <= this.now()) {
      let pending = this.inFlight.get(id);
      if (!pending) {
        pending = this.lookUp(apiKey).finally(() => this.inFlight.delete(id));
        this.inFlight.set(id, pending);
      }
      entry = await pending;
      this.remember(id, entry);
    }
    if (!entry.user) throw invalidCredentials();
    return entry.user;
  }

  private remember(id: string, entry: Entry) {
    this.cache.delete(id);
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, entry);
  }

  private async lookUp(apiKey: string): Promise<Entry> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw serenUnavailable((err as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable');
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      return { expiresAt: this.now() + NEGATIVE_TTL_MS };
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw serenUnavailable(`answered HTTP ${res.status}`);
    }
    const parsed = responseSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw serenUnavailable('unreadable answer');
    return { expiresAt: this.now() + this.ttlSeconds * 1000, user: Object.freeze(parsed.data) };
  }
}

const DEV_KEY = /^seren_dev_([a-z0-9][a-z0-9_-]{0,62})$/;

/** Dev mode only: `seren_dev_<name>` is user `dev-<name>`; any other key is rejected. */
export class DevIdentityResolver implements IdentityResolver {
  async resolve(apiKey: string): Promise<SerenUser> {
    const name = DEV_KEY.exec(apiKey)?.[1];
    if (!name) throw invalidCredentials();
    return { id: `dev-${name}`, email: `${name}@dev.local`, name, status: 'active' };
  }
}
