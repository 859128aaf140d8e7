import pino, { type DestinationStream, type Logger } from 'pino';
import { ExpectedError } from '../errors/expected.js';
import { currentRequestId } from './request-context.js';

export type { Logger };

/** Query parameters that are safe to log; every other value is replaced. */
const LOGGABLE_PARAMS = new Set(['publisher', 'error']);

/**
 * A line's field with one of these names is censored. Top-level only, by design: our lines carry
 * flat fields, and objects reach a line only through the serializers below, which copy the few
 * properties they name (request, response, error). Wildcard paths (`*.x`, `*.*.x`) made pino
 * 10's redaction cost 60 µs a line, as much as the rest of a cached exchange.
 */
const SECRET_FIELDS = [
  'authorization', 'cookie', 'set-cookie', 'access_token', 'refresh_token', 'id_token', 'code',
  'code_verifier', 'client_secret', 'clientSecret', 'seren_token', 'state', 'nonce', 'token',
  'apiKey', 'password', 'secret',
];
const REDACT_PATHS = SECRET_FIELDS.map((f) => `["${f}"]`);

/** The path with every query value but a few harmless ones replaced, so codes, states and connect tokens never reach a log. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const shown = [...params].map(([k, v]) => `${k}=${LOGGABLE_PARAMS.has(k) ? encodeURIComponent(v) : '[redacted]'}`);
  return `${url.slice(0, q)}?${shown.join('&')}`;
}

/**
 * Errors are logged by type, message, code, our own one-line cause, and (when unexpected, or at
 * debug and trace) the stack only: a library error's `cause` or extra
 * properties can carry a whole token response.
 */
function errorSerializer(withStacks: boolean) {
  return function serializeError(err: unknown) {
    if (!(err instanceof Error)) return { message: String(err) };
    const e = err as Error & { code?: unknown; error?: unknown; status?: unknown; statusCode?: unknown; networkCause?: unknown };
    return {
      type: e.name,
      message: e.message,
      ...(typeof e.code === 'string' ? { error_code: e.code } : {}),
      ...(typeof e.error === 'string' ? { oauth_error: e.error } : {}),
      ...(typeof (e.status ?? e.statusCode) === 'number' ? { status: e.status ?? e.statusCode } : {}),
      ...(typeof e.networkCause === 'string' ? { cause: e.networkCause } : {}),
      // An anticipated failure is explained by its message; a stack would only bury it.
      ...(withStacks || !(err instanceof ExpectedError) ? { stack: e.stack } : {}),
    };
  };
}

const { chindingsSym } = pino.symbols;

/**
 * `request_id` on a line written while a request is served, unless the line or the logger already
 * has it (Fastify's `request.log` binds it): the token services log through the root logger.
 */
function requestIdMixin(fields: object, _level: number, logger: Logger): { request_id?: string } {
  const id = currentRequestId();
  if (id === undefined || 'request_id' in fields) return {};
  const bindings = (logger as unknown as Record<symbol, string | undefined>)[chindingsSym];
  return bindings?.includes('"request_id":') ? {} : { request_id: id };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'seren-google-auth' },
      mixin: requestIdMixin,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        err: errorSerializer(level === 'debug' || level === 'trace'),
        error: errorSerializer(level === 'debug' || level === 'trace'),
        req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: loggableUrl(req.url ?? ''), ip: req.ip }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}
