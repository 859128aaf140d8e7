import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL's shared buffers inside the embedded database. initdb picks 128 MB, which PGlite
 * holds in its WebAssembly memory for the life of the process (that memory never shrinks); the
 * embedded database serves one small instance and reads its files through the operating
 * system's page cache, so 16 MB is plenty and keeps ~140 MB out of the process.
 */
const SHARED_BUFFERS = '16MB';

const START_PARAMS = [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`];

/**
 * Opens (creating if needed) the embedded database in `dir`. A new directory is initialised by a
 * short-lived child process first: PGlite runs initdb in a second PostgreSQL instance plus an
 * initdb module, and their WebAssembly memories (~700 MB at the peak) would otherwise stay in
 * this process (a worker thread gives back only part of it); so a fresh start ends up the size
 * of any later one.
 */
export async function openPGlite(dir: string): Promise<PGlite> {
  if (!dir.startsWith('memory://') && !existsSync(join(dir, 'PG_VERSION'))) await initialiseInChild(dir);
  return PGlite.create(dir, { startParams: START_PARAMS });
}

const INITIALISE = `require(process.argv[1]).PGlite.create(process.argv[2]).then((db) => db.close())`;

async function initialiseInChild(dir: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', INITIALISE, createRequire(import.meta.url).resolve('@electric-sql/pglite'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initialising the embedded database failed (exit code ${code}): ${stderr.trim().slice(-500)}`))));
  });
}
