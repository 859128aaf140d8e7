import type { CustomFetch, FetchBody } from 'openid-client';
import type { HttpClient } from './http-client.js';

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * openid-client's `customFetch` over the service's HttpClient: each call gets a deadline
 * `timeoutMs` from now, enforced without a timer of its own. Failures keep fetch's contract, so
 * the one classification of Google's failures (google/errors.ts) is unchanged: a time-out
 * rejects with a `TimeoutError` DOMException, an unreachable server with
 * `TypeError('fetch failed')`. A call that brings its own AbortSignal (discovery, once at
 * start) goes through the platform's fetch.
 */
export function fetchOver(client: HttpClient, timeoutMs: number): CustomFetch {
  return async (url, options) => {
    if (options.signal) return fetch(url, options as RequestInit);
    const method = options.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new TypeError(`fetchOver: unsupported method ${method}`);
    let answer;
    try {
      answer = await client.request(new URL(url), { method, headers: options.headers, body: bodyOf(options.body), deadline: performance.now() + timeoutMs });
    } catch (err) {
      if (err instanceof DOMException) throw err;
      throw new TypeError('fetch failed', { cause: err });
    }
    if (answer.status < 200 || answer.status > 599) throw new TypeError('fetch failed', { cause: new Error(`HTTP status ${answer.status}`) });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    return new Response(NULL_BODY.has(answer.status) ? null : (answer.body as Uint8Array<ArrayBuffer>), { status: answer.status, headers });
  };
}

function bodyOf(body: FetchBody): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('fetchOver: streamed request bodies are not supported');
}
