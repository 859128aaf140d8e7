import { createHmac, randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { ApiError, retryAfter } from '../errors/errors.js';
import { networkCause } from '../errors/network-cause.js';
import { HttpClient, type OutboundResponse } from '../net/http-client.js';
import { displayText } from '../text/display-text.js';
import { BoundedCache } from './bounded-cache.js';
import { REJECTED_KEYS_PER_MINUTE, RejectedKeyLimit } from './rejected-keys.js';

/** A Seren user as the identity service describes them (SPEC §5). */
export interface SerenUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly status: string;
}

/** Resolves a Seren API key to its user, or throws `invalid_seren_credentials` / `seren_unavailable` / `rate_limited`. */
export interface IdentityResolver {
  /**
   * `clientAddress`: where the request came from; keys Seren rejects are counted per address,
   * and past the limit an address's unknown keys are refused without asking Seren (SPEC §5).
   */
  resolve(apiKey: string, clientAddress?: string): Promise<SerenUser>;
}

export const invalidCredentials = () =>
  new ApiError(
    'invalid_seren_credentials',
    'The Seren API key is missing or not valid. Send "Authorization: Bearer <your Seren API key>".',
    {},
    { 'WWW-Authenticate': 'Bearer realm="seren-google-auth"' },
  );

/** `why` is shown to the caller; `cause` (what exactly Seren or the network answered) only to the log. */
export const serenUnavailable = (why: string, cause: string = why) =>
  new ApiError('seren_unavailable', `The Seren identity service is unavailable (${why}); retry shortly.`, {}, retryAfter(), cause);

// Fail closed (SPEC §5): an answer without the user's id or status is no answer.
// Name and email are free text shown on pages: control and bidi characters are dropped here.
const userSchema = z.object({
  id: z.string().min(1).max(200),
  email: z.string().max(320).default('').transform(displayText),
  name: z.string().max(200).default('').transform(displayText),
  status: z.string().min(1).max(40),
});
const responseSchema = z.union([z.object({ data: userSchema }).transform((r) => r.data), userSchema]);

const NEGATIVE_TTL_MS = 10_000;
export const SEREN_TIMEOUT_MS = 3_000;

/** Sizes of the two caches and the rejected-key limit; the defaults suit production. */
export interface IdentityLimits {
  /** Keys Seren accepted, kept IDENTITY_CACHE_TTL_SECONDS. */
  maxKnownKeys: number;
  /** Keys Seren rejected, kept briefly. */
  maxRejectedKeys: number;
  rejectedKeysPerMinute: number;
}
export const DEFAULT_IDENTITY_LIMITS: IdentityLimits = { maxKnownKeys: 50_000, maxRejectedKeys: 10_000, rejectedKeysPerMinute: REJECTED_KEYS_PER_MINUTE };

type Lookup = { user: SerenUser } | { user?: undefined };

/**
 * Asks `GET $SEREN_USERINFO_URL` with the caller's key. Results are cached under an HMAC of the
 * key with a per-process secret (the key itself is never kept): accepted keys for the configured
 * TTL, rejected ones briefly, in two separate bounded caches, so a flood of junk keys can neither
 * evict known users nor grow memory. Concurrent lookups of one key share one request.
 */
export class HttpIdentityResolver implements IdentityResolver {
  private readonly known: BoundedCache<SerenUser>;
  private readonly rejected: BoundedCache<true>;
  private readonly rejections: RejectedKeyLimit;
  private readonly inFlight = new Map<string, Promise<Lookup>>();
  private readonly hashKey = randomBytes(32);
  /** Kept-alive connections to Seren; each lookup has a deadline and no timer of its own. */
  private readonly http = new HttpClient();

  constructor(
    private readonly url: string,
    private readonly ttlSeconds: number,
    private readonly now: Clock,
    private readonly timeoutMs = SEREN_TIMEOUT_MS,
    limits: Partial<IdentityLimits> = {},
  ) {
    const l = { ...DEFAULT_IDENTITY_LIMITS, ...limits };
    this.known = new BoundedCache(l.maxKnownKeys);
    this.rejected = new BoundedCache(l.maxRejectedKeys);
    this.rejections = new RejectedKeyLimit(l.rejectedKeysPerMinute);
  }

  /** How many keys each cache holds (operators' curiosity, tests). */
  get cacheSizes(): { known: number; rejected: number } {
    return { known: this.known.size, rejected: this.rejected.size };
  }

  async resolve(apiKey: string, clientAddress?: string): Promise<SerenUser> {
    const id = createHmac('sha256', this.hashKey).update(apiKey).digest('base64url');
    const now = this.now();
    const cached = this.known.get(id, now);
    if (cached) return cached;
    if (this.rejected.get(id, now)) throw invalidCredentials();
    if (clientAddress !== undefined) this.rejections.check(clientAddress, now);

    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = this.lookUp(apiKey, id).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    const { user } = await pending;
    if (user) return user;
    if (clientAddress !== undefined) this.rejections.note(clientAddress, this.now());
    throw invalidCredentials();
  }

  private async lookUp(apiKey: string, id: string): Promise<Lookup> {
    let res: OutboundResponse;
    try {
      res = await this.http.request(new URL(this.url), {
        method: 'GET',
        headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
        deadline: performance.now() + this.timeoutMs,
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw serenUnavailable(timedOut ? 'timed out' : 'unreachable', timedOut ? `timed out after ${this.timeoutMs} ms` : `unreachable: ${networkCause(err) ?? 'fetch failed'}`);
    }
    if (res.status === 401 || res.status === 403) {
      this.rejected.set(id, true, this.now() + NEGATIVE_TTL_MS);
      return {};
    }
    if (res.status < 200 || res.status > 299) {
      throw serenUnavailable(`answered HTTP ${res.status}`, `answered HTTP ${res.status} ${STATUS_CODES[res.status] ?? ''}`.trimEnd());
    }
    const parsed = responseSchema.safeParse(parseJson(res.body));
    if (!parsed.success) throw serenUnavailable('an unreadable answer, or a user without id or status');
    const user = Object.freeze(parsed.data);
    this.known.set(id, user, this.now() + this.ttlSeconds * 1000);
    return { user };
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
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
