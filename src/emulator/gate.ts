import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { EndpointName } from './calls.js';
import type { EmulatorContext } from './context.js';
import { OAuthError, sendOAuthError } from './errors.js';
import type { FailEndpoint, Failure } from './failures.js';

const STATUS_ERRORS: Readonly<Record<number, { error: string; error_description: string }>> = {
  429: { error: 'rate_limit_exceeded', error_description: 'Rate limit exceeded. Try again later.' },
  500: { error: 'server_error', error_description: 'Internal error encountered.' },
  502: { error: 'server_error', error_description: 'Bad gateway.' },
  503: { error: 'temporarily_unavailable', error_description: 'The service is currently unavailable.' },
};

/**
 * The first step of every counted endpoint: count the call, then play any injected failure.
 * Runs as a preHandler so the token endpoint can tell refresh grants apart by their body.
 */
export function gate(ctx: EmulatorContext, counters: (req: FastifyRequest) => EndpointName[], failAs?: FailEndpoint): preHandlerAsyncHookHandler {
  return async function countAndInjectFailure(req, reply) {
    for (const name of counters(req)) ctx.calls[name] += 1;
    const failure = failAs === undefined ? undefined : ctx.failures.take(failAs);
    if (failure === undefined) return undefined;
    if ('delayMs' in failure || 'hang' in failure) {
      const ms = 'hang' in failure ? FOREVER_MS : failure.delayMs;
      if ((await ctx.failures.sleep(ms)) === 'elapsed' && !('hang' in failure)) return undefined;
      // Cut short by shutdown: answer at once and drop the connection, or the server's close() waits on it.
      reply.header('connection', 'close');
      return sendFailure({ status: 503 }, reply);
    }
    return sendFailure(failure, reply);
  };
}

/** The longest timer Node allows (about 24.8 days): "never", for a hanging endpoint. */
const FOREVER_MS = 2 ** 31 - 1;

function sendFailure(failure: Exclude<Failure, { delayMs: number } | { hang: true }>, reply: FastifyReply): FastifyReply {
  if ('error' in failure) {
    const description = failure.error === 'invalid_grant' ? 'Token has been expired or revoked.' : 'Unauthorized';
    return sendOAuthError(reply, new OAuthError(failure.error, description));
  }
  if (failure.retryAfter !== undefined) reply.header('retry-after', String(failure.retryAfter));
  return reply.code(failure.status).header('cache-control', 'no-store').send(STATUS_ERRORS[failure.status]);
}
