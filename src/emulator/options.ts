/** A client registered with the emulated Google (an "OAuth web client"). */
export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  /** When given, `redirect_uri` must be one of these exactly; when absent, any absolute http(s) URL is accepted. */
  redirectUris?: string[];
}

/** A Google account; `sub` defaults to a stable 21-digit number derived from the email, like Google's. */
export interface EmulatorAccount {
  email: string;
  sub?: string;
}

export interface EmulatorOptions {
  /** Required when mounted inside another app; standalone `start()` defaults it to `http://127.0.0.1:<port>`. */
  issuer?: string;
  /** Default: one client `dev-client-id` / `dev-client-secret` accepting any redirect URI. */
  clients?: EmulatorClient[];
  /** Milliseconds clock, injectable so tests move time instead of sleeping. Default `Date.now`. */
  now?: () => number;
  /** Default 3600, like Google. */
  accessTokenTtlSeconds?: number;
  /** Default 60. */
  codeTtlSeconds?: number;
  /** Default false: the consent page is shown. */
  autoApprove?: boolean;
  /** Account used when the flow does not name one (auto-approve, prefilled consent form). Default `user@example.com`. */
  defaultAccount?: EmulatorAccount;
  /** Serve `/_control/*`. Default: true when standalone (`start()`), false when mounted (overridable per `register`). */
  exposeControls?: boolean;
}

export interface ResolvedOptions {
  readonly issuer: string | undefined;
  readonly clients: readonly EmulatorClient[];
  readonly now: () => number;
  readonly accessTokenTtlSeconds: number;
  readonly codeTtlSeconds: number;
  readonly autoApprove: boolean;
  readonly defaultAccount: EmulatorAccount;
  readonly exposeControls: boolean | undefined;
}

export const DEFAULT_CLIENT: EmulatorClient = Object.freeze({
  clientId: 'dev-client-id',
  clientSecret: 'dev-client-secret',
});

export const DEFAULT_ACCOUNT_EMAIL = 'user@example.com';

/** Checks every option once and lists all problems in one error. */
export function resolveOptions(opts: EmulatorOptions = {}): ResolvedOptions {
  const problems: string[] = [];
  const issuer = opts.issuer === undefined ? undefined : normalizeIssuer(opts.issuer, problems);
  const clients = opts.clients ?? [DEFAULT_CLIENT];
  if (clients.length === 0) problems.push('clients: at least one client is required');
  const ids = new Set<string>();
  for (const c of clients) {
    if (!c.clientId || !c.clientSecret) problems.push('clients: clientId and clientSecret must be non-empty');
    if (ids.has(c.clientId)) problems.push(`clients: duplicate clientId ${c.clientId}`);
    ids.add(c.clientId);
    for (const uri of c.redirectUris ?? []) {
      if (!isAbsoluteHttpUrl(uri)) problems.push(`clients: redirect URI ${uri} is not an absolute http(s) URL without fragment`);
    }
  }
  const ttl = positiveInt('accessTokenTtlSeconds', opts.accessTokenTtlSeconds, 3600, problems);
  const codeTtl = positiveInt('codeTtlSeconds', opts.codeTtlSeconds, 60, problems);
  const defaultAccount = opts.defaultAccount ?? { email: DEFAULT_ACCOUNT_EMAIL };
  if (!isEmail(defaultAccount.email)) problems.push('defaultAccount.email: not an email address');
  if (problems.length > 0) throw new Error(`GoogleEmulator options are invalid:\n- ${problems.join('\n- ')}`);
  return Object.freeze({
    issuer,
    clients: Object.freeze(clients.map((c) => Object.freeze({ ...c, redirectUris: c.redirectUris ? [...c.redirectUris] : undefined }))),
    now: opts.now ?? Date.now,
    accessTokenTtlSeconds: ttl,
    codeTtlSeconds: codeTtl,
    autoApprove: opts.autoApprove ?? false,
    defaultAccount: Object.freeze({ ...defaultAccount }),
    exposeControls: opts.exposeControls,
  });
}

/** Issuer identifiers carry no query or fragment (OIDC Discovery §3); a trailing slash is dropped, as Google's has none. */
export function normalizeIssuer(value: string, problems: string[]): string | undefined {
  if (!isAbsoluteHttpUrl(value) || new URL(value).search !== '') {
    problems.push(`issuer: ${value} is not an absolute http(s) URL without query or fragment`);
    return undefined;
  }
  return value.replace(/\/+$/, '');
}

export function isAbsoluteHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hash === '' && !value.includes('#');
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']+$/.test(value);
}

function positiveInt(name: string, value: number | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) problems.push(`${name}: must be a positive integer`);
  return value;
}
