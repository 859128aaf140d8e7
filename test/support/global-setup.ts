import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated embedded database directory that tests copy instead of creating their own (≈3 s each). */
    pgliteTemplate: string;
  }
}

/** Built on both backends: the CLI tests start embedded dev instances whatever DATABASE_URL says. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'sga-template-'));
  const db = await openDatabase({ dataDir: dir });
  await migrate(db);
  await db.close();
  project.provide('pgliteTemplate', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
