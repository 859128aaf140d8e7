import type { ErrorCode } from '../../errors/errors.js';

/** How one route is described in GET /openapi.json, beyond what its Fastify schema says. */
export interface OperationDoc {
  operationId: string;
  summary: string;
  description?: string;
  tag: 'gateway' | 'browser' | 'operations' | 'risc';
  /** The bearer the route needs, if any. `metricsToken` applies only when METRICS_TOKEN is set. */
  security: 'serenApiKey' | 'metricsToken' | 'none';
  /** Query parameters of routes that read them without a Fastify schema (browser pages). */
  query?: Record<string, { description: string; required?: boolean }>;
  /** The answers that are not SPEC error bodies: success, redirects, HTML pages, by status. */
  responses: Record<string, { description: string; content?: string; schema?: object; headers?: Record<string, string> }>;
  /** The JSON error codes the route can answer (bodies in the shared ApiError shape). */
  errors?: readonly ErrorCode[];
}

export const HTML = 'text/html';
export const JSON_TYPE = 'application/json';
