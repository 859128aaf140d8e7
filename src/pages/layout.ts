import { type SafeHtml, html } from './html.js';
import { ICON_PATH, STYLESHEET_PATH } from './style.js';

/** The end-user page on disconnecting and stored data (pages/your-data.ts); a constant here, so the layout imports no page. */
export const YOUR_DATA_PATH = '/privacy';

/** A rendered page: its HTTP status and the whole document. */
export interface Page {
  status: number;
  body: string;
  /** Origins the page's forms may lead to besides our own (a form POST that redirects to Google). */
  formTargets?: readonly string[];
}

/** The shell every page shares: viewport for phones, our stylesheet, no script at all. */
export function page(status: number, title: string, content: SafeHtml, formTargets?: readonly string[]): Page {
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Seren</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">
</head>
<body>
<main>
<p class="brand">Seren · Google connection</p>
<div class="card">
<h1>${title}</h1>
${content}
</div>
</main>
<footer>Seren never sees your Google password. <a href="${YOUR_DATA_PATH}">How to disconnect, and what this service keeps</a></footer>
</body>
</html>
`;
  return formTargets ? { status, body: doc.value, formTargets } : { status, body: doc.value };
}
