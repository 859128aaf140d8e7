import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KeySpec, generateKeySpec, parseKeySpecs } from './keyring.js';

export const DEV_KEY_FILE = 'dev-encryption-key';

/**
 * Outside production with the embedded database, a key is generated once into DATA_DIR
 * (mode 0600, in a directory created 0700) and reused, so `npm start` needs no set-up and data survives restarts.
 */
export function loadOrCreateDevKey(dataDir: string): { keys: KeySpec[]; created: boolean } {
  const file = join(dataDir, DEV_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return { keys: parseKeySpecs(readFileSync(file, 'utf8')), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is unreadable: ${(err as Error).message}`);
  }
  const spec = generateKeySpec('dev1');
  // 'wx' fails if another starter won the race; then read what it wrote.
  try {
    writeFileSync(file, `${spec}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { keys: parseKeySpecs(readFileSync(file, 'utf8')), created: false };
    throw err;
  }
  return { keys: parseKeySpecs(spec), created: true };
}
