import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino from 'pino';
import { loggableUrl } from './logger.js';

const INFO = pino.levels.values.info!;

/**
 * One line per request, written when it completes: method, URL (query values redacted), client
 * address, status and time. Fastify's default writes a second line when the request arrives,
 * which at LOG_LEVEL=info cost the exchange as much as everything else it does; a request
 * that never completes is still visible through its error or the shutdown lines.
 */
export class OneLineRequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  /**
   * Through the root logger, the id as a field: no per-request child logger is made just for this
   * line. A route's own level still decides (probes and scrapes run at `warn`).
   */
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const log = request.server.log;
    const fields = { request_id: request.id, req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) log.error({ ...fields, err: error }, 'request errored');
    else if ((pino.levels.values[reply.log.level] ?? Infinity) <= INFO) log.info(fields, 'request completed');
  }

  /** Fastify's own line names the raw URL, query values and all. */
  override routeNotFound(request: FastifyRequest): void {
    request.log.info(`Route ${request.raw.method}:${loggableUrl(request.raw.url ?? '')} not found`);
  }
}
