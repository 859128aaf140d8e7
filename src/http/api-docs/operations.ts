import { JSON_TYPE, type OperationDoc } from './operation.js';

const checks = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: { type: 'object', additionalProperties: { type: 'boolean' }, description: 'each condition of readiness: database, migrations, google_discovery' },
  },
};

export const OPERATIONS_OPERATIONS: Record<string, OperationDoc> = {
  'GET /health': {
    operationId: 'getHealth',
    summary: 'Liveness: the process answers',
    description: 'Answers over plain HTTP too (a container health check has no TLS).',
    tag: 'operations',
    security: 'none',
    responses: {
      '200': {
        description: 'Always `{"status": "healthy", "service": "google-auth"}`.',
        content: JSON_TYPE,
        schema: { type: 'object', required: ['status', 'service'], properties: { status: { type: 'string', enum: ['healthy'] }, service: { type: 'string' } } },
      },
    },
    errors: ['service_unavailable'],
  },
  'GET /ready': {
    operationId: 'getReadiness',
    summary: 'Readiness: database reachable, migrations applied, Google discovery loaded',
    description: 'Answers within 2 s, over plain HTTP too. Take an instance out of rotation while it answers 503.',
    tag: 'operations',
    security: 'none',
    responses: {
      '200': { description: 'Ready.', content: JSON_TYPE, schema: checks },
      '503': { description: 'Not ready; `checks` says what is missing.', content: JSON_TYPE, schema: checks },
    },
    errors: ['service_unavailable'],
  },
  'GET /metrics': {
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description: 'Requires `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; answers over plain HTTP too.',
    tag: 'operations',
    security: 'metricsToken',
    responses: { '200': { description: 'The Prometheus text format.', content: 'text/plain' } },
    errors: ['invalid_metrics_token', 'service_unavailable', 'internal_error'],
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This API description (OpenAPI 3)',
    tag: 'operations',
    security: 'none',
    responses: { '200': { description: 'This document.', content: JSON_TYPE } },
    errors: ['https_required', 'service_unavailable'],
  },
};
