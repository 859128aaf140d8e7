import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { runInRequest } from '../log/request-context.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An incoming id is kept only if it is short and made of characters that cannot forge a log
 * line or a header (a proxy's or the gateway's id: UUIDs, ULIDs, `Root=1-…` trace ids).
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:=+/@-]{1,128}$/;

/** The caller's `X-Request-Id` when it is sane, else a random UUID (unique across processes and restarts). */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Every response carries `X-Request-Id`; every JSON error body carries `request_id` (whoever
 * sent it); every log line written while the request is served carries it too (see
 * request-context.ts; lines through `request.log` have it as a binding).
 */
export function registerRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', function echoRequestId(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // After the body is read: a body's stream events would run outside the request's context.
  app.addHook('preHandler', function enterRequestContext(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    runInRequest(request.id, done);
  });
  app.addHook('preSerialization', function stampErrorBody(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) {
    if (reply.statusCode >= 400 && isErrorBody(payload) && !('request_id' in payload)) done(null, { ...payload, request_id: request.id });
    else done(null, payload);
  });
}

const isErrorBody = (payload: unknown): payload is { error: unknown } =>
  typeof payload === 'object' && payload !== null && typeof (payload as { error?: unknown }).error === 'string';
