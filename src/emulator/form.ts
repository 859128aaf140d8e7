import type { FastifyInstance } from 'fastify';
import { OAuthError } from './errors.js';

export type FormBody = Record<string, string | string[]>;

const FORM = 'application/x-www-form-urlencoded';
const FORM_BODY_LIMIT = 64 * 1024;

/**
 * Parses `application/x-www-form-urlencoded` bodies, unless the mounting app already does
 * (e.g. with @fastify/formbody, which yields the same shape: repeated keys become arrays).
 */
export function ensureFormParser(app: FastifyInstance): void {
  if (app.hasContentTypeParser(FORM)) return;
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_req, body, done) => {
    done(null, parseForm(String(body)));
  });
}

export function parseForm(text: string): FormBody {
  const out: FormBody = Object.create(null) as FormBody;
  for (const [key, value] of new URLSearchParams(text)) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** Every field as a single string; RFC 6749 §3.2 forbids repeating a parameter. */
export function singleValuedForm(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object') throw new OAuthError('invalid_request', 'The request body must be form-encoded.');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `Parameter included more than once: ${key}`);
    out[key] = value;
  }
  return out;
}

/** A field that may repeat (checkboxes). */
export function formValues(body: unknown, name: string): string[] {
  if (body === null || typeof body !== 'object') return [];
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function formValue(body: unknown, name: string): string | undefined {
  const values = formValues(body, name);
  return values.length === 1 ? values[0] : undefined;
}
