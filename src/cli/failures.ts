import { DatabaseUnavailableError } from '../db/failures.js';

/** Exit codes of the command (documented in the README), after sysexits.h where one fits. */
export const EXIT = {
  /** Something unexpected; the message says what, LOG_LEVEL=debug adds the stack. */
  failed: 1,
  /** The command was called wrongly (unknown command or option, a bad flag value). */
  usage: 2,
  /** A resource the command needs is unavailable or taken: the database, the port, DATA_DIR's lock. */
  unavailable: 69,
  /** A setting is wrong: invalid configuration, a HOST that is not this machine's, a database that does not exist. */
  config: 78,
} as const;

export interface Explained {
  sentence: string;
  exitCode: number;
}

type SystemError = Error & { code?: string; syscall?: string; hostname?: string; address?: string; port?: number; path?: string };

/** Where the command was told to listen and store, as given (for naming them in a sentence). */
export interface Settings {
  host: string;
  port: string;
  dataDir: string;
}

/**
 * A failure to start, as one plain sentence naming the setting or resource to look at, with
 * its exit code; undefined for a failure we cannot explain better than its own message.
 */
export function explainFailure(err: unknown, settings: Settings): Explained | undefined {
  if (err instanceof DatabaseUnavailableError) return explainDatabase(err);
  const e = err as SystemError;
  if (!(err instanceof Error) || typeof e.code !== 'string') return undefined;
  const where = `${settings.host}:${settings.port}`;
  if (e.syscall === 'getaddrinfo' && e.hostname === settings.host) {
    return { sentence: `HOST: "${settings.host}" does not resolve to an address of this machine (${e.code}); use an address such as 127.0.0.1 or 0.0.0.0.`, exitCode: EXIT.config };
  }
  if (e.syscall === 'listen' || e.syscall === 'bind') {
    switch (e.code) {
      case 'EADDRINUSE':
        return { sentence: `PORT: ${where} is already in use by another process; stop it, or set PORT (or HOST) to a free address.`, exitCode: EXIT.unavailable };
      case 'EACCES':
        return { sentence: `PORT: not allowed to listen on ${where} (ports below 1024 need privileges); use a port from 1024, e.g. 8787.`, exitCode: EXIT.config };
      case 'EADDRNOTAVAIL':
        return { sentence: `HOST: ${settings.host} is not an address of this machine; use one of its addresses, 127.0.0.1, or 0.0.0.0 for all.`, exitCode: EXIT.config };
    }
  }
  if (typeof e.path === 'string' && (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' || e.code === 'ENOTDIR' || e.code === 'ENOSPC')) {
    return { sentence: `DATA_DIR: cannot write ${e.path} (${e.code}); point DATA_DIR at a directory this user can write.`, exitCode: EXIT.config };
  }
  return undefined;
}

/** node-postgres's SQLSTATEs and socket codes that a person can act on at start. */
function explainDatabase(err: DatabaseUnavailableError): Explained {
  const cause = err.cause as SystemError | undefined;
  const code = cause?.code;
  const detail = err.message;
  if (code === '3D000') {
    return { sentence: `DATABASE_URL: ${detail.replace(' is unreachable: ', ' answers, but ')}; create it (createdb) or fix the name in DATABASE_URL.`, exitCode: EXIT.config };
  }
  if (code === '28P01' || code === '28000') {
    return { sentence: `DATABASE_URL: ${detail.replace(' is unreachable: ', ' refused the login: ')}; fix the user or password in DATABASE_URL.`, exitCode: EXIT.config };
  }
  if (detail.startsWith('the embedded database')) {
    const own = cause?.message.startsWith('the embedded database') ? cause.message : detail; // the lock explains itself
    return { sentence: `DATA_DIR: ${own}${own.endsWith('.') ? '' : '.'}`, exitCode: EXIT.unavailable };
  }
  const hint = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'check the host name in DATABASE_URL' : 'is PostgreSQL running there, and is the address in DATABASE_URL right?';
  return { sentence: `DATABASE_URL: ${detail}; ${hint}`, exitCode: EXIT.unavailable };
}
