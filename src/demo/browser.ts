/**
 * A small scripted browser for the demo and the integration tests: a cookie jar (path, Max-Age, SameSite), manual or
 * followed redirects, HTML form parsing, and a record of every URL and page it saw.
 */

export interface BrowserResponse {
  status: number;
  url: string;
  headers: Headers;
  /** Text of the body ('' for redirects). */
  body: string;
  /** The absolute Location of a redirect. */
  location: string | undefined;
}

export interface ParsedForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  sameSite: 'strict' | 'lax' | 'none';
  expiresAt: number | undefined;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Behave like a request started by another site (tests of CSRF): no SameSite=Strict cookies (nor Lax on POST), cross-site headers. */
  crossSite?: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

export class Browser {
  private jar: Cookie[] = [];

  /** `headers` go with every request (a test's `X-Forwarded-Proto: https`, as if through a TLS proxy). */
  constructor(private readonly defaults: { headers?: Record<string, string> } = {}) {}

  /** Every URL this browser requested, in order. */
  readonly history: string[] = [];
  /** Every response body it read. */
  readonly pages: string[] = [];

  async request(url: string, opts: RequestOptions = {}): Promise<BrowserResponse> {
    const target = new URL(url);
    const method = opts.method ?? (opts.form ? 'POST' : 'GET');
    const headers: Record<string, string> = { accept: 'text/html', ...this.defaults.headers, ...this.cookieHeader(target, method, opts.crossSite) };
    if (opts.crossSite) {
      headers['sec-fetch-site'] = 'cross-site';
      if (method === 'POST') headers.origin = 'https://attacker.example';
    } else if (method === 'POST') {
      // What Chrome sends for a form on our pages: their Referrer-Policy is no-referrer, so Origin is "null".
      headers['sec-fetch-site'] = 'same-origin';
      headers.origin = 'null';
    }
    Object.assign(headers, opts.headers);
    let body: string | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    this.history.push(target.href);
    const res = await fetch(target, { method, headers, body, redirect: 'manual' });
    this.store(target, res.headers.getSetCookie());
    const location = res.headers.get('location');
    const text = await res.text();
    this.pages.push(text);
    return { status: res.status, url: target.href, headers: res.headers, body: text, location: location ? new URL(location, target).href : undefined };
  }

  get(url: string, opts: Omit<RequestOptions, 'method' | 'form'> = {}) {
    return this.request(url, { ...opts, method: 'GET' });
  }

  /** Follows redirects (303 → GET) until a page answers. */
  async follow(res: BrowserResponse, max = 10): Promise<BrowserResponse> {
    let current = res;
    for (let i = 0; current.location && current.status >= 300 && current.status < 400; i++) {
      if (i >= max) throw new Error('too many redirects');
      current = await this.get(current.location);
    }
    return current;
  }

  async open(url: string): Promise<BrowserResponse> {
    return this.follow(await this.get(url));
  }

  /** Submits a parsed form; `override` replaces fields (undefined removes one). */
  submit(form: ParsedForm, override: Record<string, string | undefined> = {}, opts: Omit<RequestOptions, 'form' | 'method'> = {}) {
    const fields: Record<string, string> = { ...form.fields };
    for (const [k, v] of Object.entries(override)) {
      if (v === undefined) delete fields[k];
      else fields[k] = v;
    }
    return this.request(form.action, { ...opts, method: 'POST', form: fields });
  }

  cookie(name: string): string | undefined {
    return this.live().find((c) => c.name === name)?.value;
  }

  setCookie(name: string, value: string, url: string, path = '/') {
    this.store(new URL(url), [`${name}=${value}; Path=${path}; SameSite=Lax`]);
  }

  clearCookies() {
    this.jar = [];
  }

  private live() {
    const now = Date.now();
    return this.jar.filter((c) => c.expiresAt === undefined || c.expiresAt > now);
  }

  private cookieHeader(url: URL, method: string, crossSite = false): Record<string, string> {
    const sent = this.live().filter((c) => {
      if (c.host !== url.hostname || !pathMatches(url.pathname, c.path)) return false;
      if (!crossSite) return true;
      return c.sameSite === 'none' || (c.sameSite === 'lax' && method === 'GET');
    });
    return sent.length ? { cookie: sent.map((c) => `${c.name}=${c.value}`).join('; ') } : {};
  }

  private store(url: URL, setCookies: string[]) {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const cookie: Cookie = {
        name: pair!.slice(0, eq), value: pair!.slice(eq + 1), host: url.hostname,
        path: defaultPath(url.pathname), sameSite: 'lax', expiresAt: undefined,
      };
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k!.toLowerCase();
        if (key === 'path') cookie.path = v;
        else if (key === 'max-age') cookie.expiresAt = Date.now() + Number(v) * 1000;
        else if (key === 'expires' && cookie.expiresAt === undefined) cookie.expiresAt = Date.parse(v);
        else if (key === 'samesite') cookie.sameSite = v.toLowerCase() as Cookie['sameSite'];
      }
      this.jar = this.jar.filter((c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path));
      this.jar.push(cookie);
    }
  }
}

const defaultPath = (p: string) => (p.lastIndexOf('/') > 0 ? p.slice(0, p.lastIndexOf('/')) : '/');
const pathMatches = (requestPath: string, cookiePath: string) =>
  requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'));

/** Every `<form>` of a page, with its hidden and named inputs (values unescaped), actions made absolute. */
export function parseForms(html: string, baseUrl: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attr = (src: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(src)?.[1];
    const fields: Record<string, string> = {};
    for (const input of m[2]!.matchAll(/<input\b([^>]*)>/g)) {
      const name = attr(input[1]!, 'name');
      if (name) fields[unescape(name)] = unescape(attr(input[1]!, 'value') ?? '');
    }
    forms.push({
      action: new URL(unescape(attr(m[1]!, 'action') ?? ''), baseUrl).href,
      method: (attr(m[1]!, 'method') ?? 'get').toUpperCase(),
      fields,
    });
  }
  return forms;
}

/** The one form of a page posting to `path`; throws when there is not exactly one. */
export function formTo(res: BrowserResponse, path: string): ParsedForm {
  const forms = parseForms(res.body, res.url).filter((f) => new URL(f.action).pathname === path);
  if (forms.length !== 1) throw new Error(`expected one form to ${path} on ${res.url} (HTTP ${res.status}), found ${forms.length}`);
  return forms[0]!;
}
