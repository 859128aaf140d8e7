import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ApiError, retryAfter } from '../errors/errors.js';

/** What a client is told to wait when it reaches an instance that is shutting down (another one, or this one restarted, takes over). */
export const SHUTDOWN_RETRY_AFTER_SECONDS = 2;

/**
 * A graceful stop that neither waits on idle clients nor answers off-contract:
 * - on close, every connection without a request in progress is closed at once (keep-alive
 *   connections between requests, and connections that never sent one: Node's own
 *   closeIdleConnections leaves those open, so an idle client held SIGTERM for its full grace);
 *   a connection whose request is in progress closes right after its response;
 * - a request that still arrives (pipelined, or on a busy keep-alive connection) is answered
 *   `503 service_unavailable` with `Retry-After` in the SPEC's error shape, and `Connection: close`.
 * Register on the root app, before the routes.
 */
export function drainOnClose(app: FastifyInstance): void {
  const inProgress = new Map<Socket, number>();
  let closing = false;

  app.server.on('connection', (socket: Socket) => {
    inProgress.set(socket, 0);
    socket.once('close', () => inProgress.delete(socket));
  });
  app.server.on('request', (request, response) => {
    const socket = request.socket as Socket;
    inProgress.set(socket, (inProgress.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (inProgress.get(socket) ?? 1) - 1;
      inProgress.set(socket, left);
      if (closing && left === 0) socket.destroySoon();
    });
  });

  // Callback style: the gateway's hot path pays no promise for it.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close');
    done(new ApiError('service_unavailable', 'This instance is shutting down; retry after the indicated time.', {}, retryAfter(SHUTDOWN_RETRY_AFTER_SECONDS)));
  });

  app.addHook('preClose', async () => {
    closing = true;
    for (const [socket, requests] of inProgress) if (requests === 0) socket.destroy();
  });
}
