import { generateKeySpec } from '../crypto/keyring.js';
import { rotateKeys } from '../crypto/rotate.js';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../log/logger.js';
import { resolveKeyring } from '../runtime.js';
import type { Command } from './main.js';
import { UsageError } from './usage.js';

export const keysGenerate: Command<never> = {
  needs: [],
  summary: 'Print a new encryption key (kid:base64) for TOKEN_ENCRYPTION_KEYS',
  usage:
    'seren-google-auth keys generate [--kid <id>]\n\nThe default key id is today\'s date with a random suffix (k20260131-3f9c0a1b), so keys made on one day differ.\nPut the new key first in TOKEN_ENCRYPTION_KEYS to make it the primary key; keep the old ones after it.',
  options: { kid: { type: 'string' } },
  async run({ values }) {
    const kid = values.kid as string | undefined;
    if (kid !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(kid)) throw new UsageError(`--kid: use 1 to 32 letters, digits, _ or - (got ${JSON.stringify(kid)})`);
    console.log(generateKeySpec(kid));
  },
};

export const keysRotate: Command<'database' | 'keys'> = {
  needs: ['database', 'keys'],
  summary: 'Re-encrypt every stored secret under the primary key (online)',
  usage:
    'seren-google-auth keys rotate\n\nRun after every instance has the new TOKEN_ENCRYPTION_KEYS (new key first, old keys kept).\n' +
    'Shows progress and reports counts; exits 1 when a value could not be decrypted with any key.',
  async run({ config: loadConfig }) {
    const config = loadConfig();
    const keyring = resolveKeyring(config, createLogger('error'));
    const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, maintenance: true });
    try {
      const counts = await rotateKeys(db, keyring, (where, done, total) => {
        if (total > 0) process.stderr.write(`${where}: ${done}/${total}\n`);
      });
      console.log(
        `Rotated ${counts.rotated} value(s) to key "${keyring.primaryKid}"; ${counts.skipped} changed meanwhile (already fresh); ${counts.failed} could not be decrypted.`,
      );
      return counts.failed > 0 ? 1 : 0;
    } finally {
      await db.close();
    }
  },
};
