import { readFileSync } from 'node:fs';

/** A mistake in how the command was called: shown with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** This package's version (package.json sits two levels above both src/cli and dist/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

interface Described {
  summary: string;
}

/** `seren-google-auth keys`: the commands of a group ("keys", "publishers", …), or undefined if `word` names none. */
export function groupHelp(commands: Record<string, Described>, word: string | undefined): string | undefined {
  if (!word) return undefined;
  const members = Object.entries(commands).filter(([name]) => name.startsWith(`${word} `));
  if (members.length === 0) return undefined;
  const width = Math.max(...members.map(([name]) => name.length)) + 2;
  return [
    `Usage: seren-google-auth ${word} <command> [options]`,
    '',
    'Commands:',
    ...members.map(([name, c]) => `  ${name.padEnd(width)} ${c.summary}`),
    '',
    `Run 'seren-google-auth ${word} <command> --help' for a command's options.`,
  ].join('\n');
}

type OptionSpecs = Record<string, { type: 'string' | 'boolean' }>;

/** util.parseArgs's complaint in our words, naming the options the command does take. */
export function describeArgsError(err: unknown, options: OptionSpecs = {}): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const known = Object.entries(options).map(([name, o]) => (o.type === 'string' ? `--${name} <value>` : `--${name}`));
  const takes = known.length ? `this command takes ${known.join(', ')}` : 'this command takes no options';
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''}; ${takes}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted ?? ''}"; ${takes}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = /--[\w-]+/.exec(message)?.[0] ?? 'an option';
      return /argument missing/.test(message) ? `${option} needs a value` : `${option} takes no value`;
    }
    default:
      return message;
  }
}

/** An absolute http:// or https:// URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
