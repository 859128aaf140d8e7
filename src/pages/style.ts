/**
 * The one stylesheet of every page, served at STYLESHEET_PATH so the Content-Security-Policy can
 * stay `style-src 'self'` (no inline style). Mobile first; wider screens only get more margin.
 */
export const STYLESHEET_PATH = '/assets/style.css';

/** A served icon, so browsers do not ask for a missing /favicon.ico (a console error on every page). */
export const ICON_PATH = '/assets/icon.svg';

export const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#1d4ed8"/>' +
  '<circle cx="16" cy="16" r="7" fill="none" stroke="#fff" stroke-width="3"/></svg>';

export const STYLESHEET = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; padding: 1rem; background: #f3f4f6; color: #111827;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 36rem; margin: 0 auto; }
.brand { margin: 0.5rem 0 1rem; color: #4b5563; font-size: 0.9rem; font-weight: 600; letter-spacing: 0.02em; }
.card { background: #fff; border-radius: 12px; padding: 1.25rem; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.12); }
h1 { font-size: 1.35rem; line-height: 1.3; margin: 0 0 0.75rem; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 0 0 0.25rem; }
p { margin: 0.5rem 0; }
ul { margin: 0.25rem 0 0.5rem; padding-left: 1.25rem; }
li { margin: 0.15rem 0; }
/* Names stay whole; only a name longer than the line (a URL on a phone) wraps, and only where it must. */
code { font-size: 0.85em; overflow-wrap: anywhere; }
.muted { color: #4b5563; font-size: 0.9rem; }
.account { padding: 0.75rem; border-radius: 8px; background: #f9fafb; border: 1px solid #e5e7eb; overflow-wrap: anywhere; }
.account strong { display: block; }
.notice { padding: 0.75rem; border-radius: 8px; margin: 1rem 0; border: 1px solid; }
.notice.warning { background: #fffbeb; border-color: #f59e0b; }
.notice.success { background: #ecfdf5; border-color: #10b981; }
.notice.error { background: #fef2f2; border-color: #ef4444; }
.notice.info { background: #eff6ff; border-color: #3b82f6; }
.group { border: 1px solid #e5e7eb; border-radius: 8px; padding: 0.75rem; margin: 0.5rem 0; }
.group .why { margin: 0 0 0.25rem; color: #4b5563; font-size: 0.9rem; }
.missing li { color: #991b1b; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-top: 1.25rem; }
.actions form { margin: 0; flex: 1 1 12rem; display: flex; }
.button {
  flex: 1 1 12rem; display: inline-block; min-height: 2.75rem; padding: 0.6rem 1rem; border-radius: 8px;
  border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; font: inherit; font-weight: 600;
  text-align: center; text-decoration: none; cursor: pointer;
}
.button:hover, .button:focus-visible { background: #1e40af; }
.button.secondary { background: #fff; color: #1f2937; border-color: #d1d5db; }
.button.secondary:hover, .button.secondary:focus-visible { background: #f3f4f6; }
footer { max-width: 36rem; margin: 1rem auto; color: #6b7280; font-size: 0.8rem; text-align: center; }
@media (min-width: 40rem) {
  body { padding: 2.5rem 1rem; }
  .card { padding: 2rem; }
  h1 { font-size: 1.5rem; }
}
`;
