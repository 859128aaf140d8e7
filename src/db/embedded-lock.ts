import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { join } from 'node:path';

/** Lock names this process holds: opening the same directory twice in one process is allowed. */
const held = new Set<string>();

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt
 * it. The lock is a listening local socket, which the operating system drops when its process
 * exits, however it exits (kill -9 included): nothing stale can block a start, and a pid file
 * naming some unrelated live process (a reused pid) means nothing. On Linux it is an abstract
 * socket named after the directory, on Windows a named pipe; elsewhere a socket file in the
 * directory, which is taken over when nothing answers on it. The pid file is only there to name
 * the holder in the refusal.
 */
export async function lockEmbeddedDirectory(dir: string): Promise<() => void> {
  const address = lockAddress(dir);
  if (held.has(address.path)) return () => {};
  const pidFile = join(dir, 'seren-google-auth.pid');
  const server = await listenExclusively(address).catch((err) => {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new Error(
      `the embedded database in ${dir} is in use by ${holderOf(pidFile)}; stop it, or set DATABASE_URL so that instances share a PostgreSQL server`,
    );
  });
  server.unref();
  held.add(address.path);
  writeFileSync(pidFile, String(process.pid));
  return () => {
    held.delete(address.path);
    server.close();
    rmSync(pidFile, { force: true });
  };
}

interface LockAddress {
  path: string;
  /** A socket file that outlives a crashed holder (probed before it is taken over). */
  file: boolean;
}

function lockAddress(dir: string): LockAddress {
  const id = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { path: `\0seren-google-auth-${id}`, file: false };
  if (process.platform === 'win32') return { path: `\\\\.\\pipe\\seren-google-auth-${id}`, file: false };
  return { path: join(dir, 'seren-google-auth.lock'), file: true };
}

async function listenExclusively(address: LockAddress): Promise<Server> {
  try {
    return await listen(address.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !address.file || (await answers(address.path))) throw err;
    rmSync(address.path, { force: true }); // left by a holder that died
    return listen(address.path);
  }
}

function listen(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen({ path, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function holderOf(pidFile: string): string {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (Number.isInteger(pid) && pid > 0) return `process ${pid}`;
  } catch {
    // no pid file yet: the holder is starting
  }
  return 'another process';
}
