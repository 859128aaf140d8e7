import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request being served, for log lines written through the root logger while it
 * is served (the token services log through it, not through `request.log`). Work a request
 * starts in the background (a single-flight refresh, a revocation retry) keeps that id: it is
 * the request that caused it.
 */
const current = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it starts) as part of request `id`. */
export function runInRequest<T>(id: string, fn: () => T): T {
  return current.run(id, fn);
}

/** The id of the request this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}
