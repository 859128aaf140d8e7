import { openDatabase, safeDatabaseLocation } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import type { Command } from './main.js';

export const migrateCommand: Command<'database'> = {
  needs: ['database'],
  summary: 'Apply pending database migrations and exit',
  usage: 'seren-google-auth migrate\n\nUses DATABASE_URL, or the embedded database in DATA_DIR. Safe to run while instances start.',
  async run({ config: loadConfig }) {
    const config = loadConfig();
    const where = config.databaseUrl ? `PostgreSQL at ${safeDatabaseLocation(config.databaseUrl)}` : `embedded database in ${config.dataDir}`;
    const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, maintenance: true });
    try {
      const applied = await migrate(db);
      console.log(applied.length ? `Applied ${applied.join(', ')} to the ${where}.` : `The ${where} is up to date.`);
    } finally {
      await db.close();
    }
  },
};
