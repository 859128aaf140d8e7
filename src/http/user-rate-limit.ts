import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Clock } from '../clock.js';
import { ApiError, retryAfter } from '../errors/errors.js';
import { serenUserOf } from './bearer.js';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Above this many tracked users, windows that have ended are swept out (at most once a window). */
const SWEEP_ABOVE = 50_000;

type PreHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/**
 * `RATE_LIMIT_PER_MINUTE` per Seren user over all bearer routes together (SPEC §2, §3): a fixed
 * one-minute window per user, counted in this instance's memory, checked after requireSerenUser
 * so the key is the resolved user (a bad key is refused before it counts). A refusal is
 * `429 rate_limited` with Retry-After: the seconds until the window ends.
 *
 * Hand-rolled instead of @fastify/rate-limit because it sits on the gateway's hot path: a Map
 * lookup and no per-answer headers.
 */
export function userRateLimit(perMinute: number, clock: Clock): PreHandler {
  const windows = new Map<string, { startedAt: number; count: number }>();
  let sweptAt = -Infinity;

  const sweep = (now: number) => {
    sweptAt = now;
    for (const [id, w] of windows) if (now - w.startedAt >= RATE_LIMIT_WINDOW_MS) windows.delete(id);
  };

  return function limitPerSerenUser(request, _reply, done) {
    const id = serenUserOf(request).id;
    const now = clock();
    let w = windows.get(id);
    if (!w || now - w.startedAt >= RATE_LIMIT_WINDOW_MS) {
      if (!w && windows.size >= SWEEP_ABOVE && now - sweptAt >= RATE_LIMIT_WINDOW_MS) sweep(now);
      w = { startedAt: now, count: 0 };
      windows.set(id, w);
    }
    if (++w.count <= perMinute) return done();
    const waitSeconds = (w.startedAt + RATE_LIMIT_WINDOW_MS - now) / 1000;
    done(
      new ApiError(
        'rate_limited',
        `Too many requests for this Seren account (at most ${perMinute} a minute); retry in ${Math.ceil(waitSeconds)} s.`,
        {},
        retryAfter(waitSeconds),
      ),
    );
  };
}
