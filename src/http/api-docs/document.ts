import { BROWSER_OPERATIONS } from './browser.js';
import { API_ERROR_SCHEMA, apiErrorSchema, errorResponses } from './errors.js';
import { GATEWAY_OPERATIONS } from './gateway.js';
import { JSON_TYPE, type OperationDoc } from './operation.js';
import { OPERATIONS_OPERATIONS } from './operations.js';
import { RISC_OPERATIONS } from './risc.js';

/** Every route's description, by "METHOD /path". A route missing here shows up in the lint as an operation without a summary. */
export const OPERATION_DOCS: Readonly<Record<string, OperationDoc>> = { ...GATEWAY_OPERATIONS, ...BROWSER_OPERATIONS, ...OPERATIONS_OPERATIONS, ...RISC_OPERATIONS };

type Json = Record<string, unknown>;
type Operation = Json & { responses?: Record<string, Json>; parameters?: Json[] };

export const TAGS = [
  { name: 'gateway', description: 'Called by the Seren gateway and agents with a Seren API key (bearer).' },
  { name: 'browser', description: 'Pages a person opens from an authorization link (HTML).' },
  { name: 'operations', description: 'Health, readiness, metrics and this document.' },
  { name: 'risc', description: 'Called by Google (Cross-Account Protection security events, RFC 8935) and by `seren-google-auth risc verify`.' },
];

export const SECURITY_SCHEMES = {
  serenApiKey: { type: 'http', scheme: 'bearer', description: 'The Seren API key of the agent\'s user; resolved to a Seren user by the Seren identity service.' },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when it is set.' },
};

/** Merges the route descriptions into the document @fastify/swagger built from the route schemas. */
export function describeOperations(document: Json): Json {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const doc = OPERATION_DOCS[`${method.toUpperCase()} ${path}`];
      if (doc) operations[method] = describe(operation, doc);
    }
  }
  const components = (document.components ?? {}) as Json;
  return {
    ...document,
    tags: TAGS,
    components: {
      ...components,
      securitySchemes: { ...(components.securitySchemes as Json | undefined), ...SECURITY_SCHEMES },
      schemas: { ...(components.schemas as Json | undefined), [API_ERROR_SCHEMA]: apiErrorSchema },
    },
  };
}

function describe(operation: Operation, doc: OperationDoc): Operation {
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(doc.responses)) {
    const existing = operation.responses?.[status]?.content as Json | undefined;
    const fallback = r.content === JSON_TYPE ? {} : { schema: { type: 'string' } };
    const content = r.content && { [r.content]: r.schema ? { schema: r.schema } : ((existing?.[r.content] as Json | undefined) ?? fallback) };
    const headers = r.headers && Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
    responses[status] = { description: r.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
  }
  for (const [status, r] of Object.entries(errorResponses(doc.errors ?? []))) responses[status] = merge(responses[status], r as Json);
  return {
    ...operation,
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: doc.security === 'none' ? [] : doc.security === 'metricsToken' ? [{ metricsToken: [] }, {}] : [{ [doc.security]: [] }],
    ...(doc.query ? { parameters: mergeParameters(operation.parameters ?? [], doc.query) } : {}),
    responses: sortByStatus(responses),
  };
}

/**
 * Two answers under one status (an HTML page and the JSON https_required; /ready's not_ready and
 * service_unavailable): one response, each media type once, `oneOf` where both are JSON.
 */
function merge(a: Json | undefined, b: Json): Json {
  if (!a) return b;
  const content: Record<string, Json> = { ...(a.content as Record<string, Json>) };
  for (const [type, media] of Object.entries(b.content as Record<string, Json>)) {
    const mine = content[type];
    content[type] = mine?.schema && media.schema ? { schema: { oneOf: [mine.schema, media.schema] } } : media;
  }
  return {
    description: `${a.description} ${b.description}`,
    ...(a.headers || b.headers ? { headers: { ...(a.headers as Json), ...(b.headers as Json) } } : {}),
    content,
  };
}

function mergeParameters(parameters: Json[], query: NonNullable<OperationDoc['query']>): Json[] {
  const byName = new Map(parameters.map((p) => [`${p.in} ${p.name}`, p]));
  for (const [name, q] of Object.entries(query)) {
    const existing = byName.get(`query ${name}`) ?? { in: 'query', name, schema: { type: 'string' } };
    byName.set(`query ${name}`, { ...existing, description: q.description, required: q.required ?? false });
  }
  return [...byName.values()];
}

const sortByStatus = (responses: Record<string, Json>) => Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
