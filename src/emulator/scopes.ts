export const OPENID = 'openid';
export const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
export const USERINFO_PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';

/** Scopes that let a token read the Gmail profile. */
export const GMAIL_SCOPES: ReadonlySet<string> = new Set([
  'https://mail.google.com/',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://www.googleapis.com/auth/gmail.send',
]);

/** Like Google, the short sign-in aliases come back under their long names in token responses. */
const ALIASES: Readonly<Record<string, string>> = { email: USERINFO_EMAIL, profile: USERINFO_PROFILE };

/** Sign-in scopes: always granted, never offered as an un-tickable checkbox. */
const SIGN_IN = new Set([OPENID, 'email', 'profile', USERINFO_EMAIL, USERINFO_PROFILE]);

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  'https://mail.google.com/': 'Read, compose, send, and permanently delete all your email from Gmail',
  'https://www.googleapis.com/auth/gmail.readonly': 'View your email messages and settings',
  'https://www.googleapis.com/auth/gmail.modify': 'Read, compose, and send emails from your Gmail account',
  'https://www.googleapis.com/auth/gmail.send': 'Send email on your behalf',
  'https://www.googleapis.com/auth/calendar': 'See, edit, share, and permanently delete all the calendars you can access',
  'https://www.googleapis.com/auth/calendar.readonly': 'See and download any calendar you can access',
  'https://www.googleapis.com/auth/calendar.events': 'View and edit events on all your calendars',
};

/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Splits a `scope` parameter; undefined when a token is malformed. Duplicates are dropped, order kept. */
export function parseScopeParam(value: string): string[] | undefined {
  const tokens = value.split(' ').filter((s) => s.length > 0);
  if (!tokens.every((t) => SCOPE_TOKEN.test(t))) return undefined;
  return [...new Set(tokens)];
}

export function canonicalScope(scope: string): string {
  return ALIASES[scope] ?? scope;
}

export function isSignInScope(scope: string): boolean {
  return SIGN_IN.has(scope);
}

export function describeScope(scope: string): string {
  return DESCRIPTIONS[scope] ?? scope;
}

export function hasGmailScope(scopes: Iterable<string>): boolean {
  for (const s of scopes) if (GMAIL_SCOPES.has(s)) return true;
  return false;
}
