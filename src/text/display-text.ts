/**
 * Unicode controls (category Cc), bidirectional formatting characters (ALM U+061C, LRM/RLM
 * U+200E/F, the embeddings and overrides U+202A–202E, the isolates U+2066–2069) and the line and
 * paragraph separators: none belongs in a name or an email, and each can make text read as
 * something else (an RLO turns "moc.liamg@mitciv" into "victim@gmail.com").
 */
const MISLEADING = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu;

/** Free text from elsewhere (a Seren name or email), made safe to read on a page: the characters above removed. */
export const displayText = (text: string): string => text.replace(MISLEADING, '').trim();

/** True when the text holds a character that displayText removes. */
export const hasMisleadingCharacters = (text: string): boolean => new RegExp(MISLEADING.source, 'u').test(text);

/**
 * An email as a hint to someone who may not own it: the first character of the local part and
 * the domain (`h•••@gmail.com`), so a link holder learns which account it is without reading it.
 */
export function maskEmail(email: string): string {
  const clean = displayText(email);
  const at = clean.lastIndexOf('@');
  const first = [...clean.slice(0, Math.max(at, 0))][0];
  if (at <= 0 || !first) return '•••';
  return `${first}•••${clean.slice(at)}`;
}
