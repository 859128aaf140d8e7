import type { FastifyInstance } from 'fastify';
import { migrationsApplied } from '../../db/migrate.js';
import type { AppDeps } from '../app.js';

/**
 * `/ready` answers within this (SPEC §9: within 2 s): a database check that has not finished by
 * then counts as failed, whatever the pool's own time-outs are doing.
 */
export const READY_CHECK_TIMEOUT_MS = 1_500;

/** Liveness and readiness (SPEC §9). */
export async function healthRoutes(app: FastifyInstance, { db, google }: Pick<AppDeps, 'db' | 'google'>) {
  app.get('/health', { logLevel: 'warn' }, async () => ({ status: 'healthy', service: 'google-auth' }));

  app.get('/ready', { logLevel: 'warn' }, async (_request, reply) => {
    const database = within(READY_CHECK_TIMEOUT_MS, async () => {
      const migrations = await migrationsApplied(db).catch(() => false);
      return { migrations, reachable: migrations || (await db.query('SELECT 1').then(() => true, () => false)) };
    });
    const { reachable, migrations } = (await database) ?? { reachable: false, migrations: false };
    const checks = { database: reachable, migrations, google_discovery: google.ready };
    const ready = Object.values(checks).every(Boolean);
    if (!google.ready) void google.discover().catch(() => {});
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}

/** The result of `work`, or undefined when it takes longer than `ms` (the work goes on, its result unused). */
async function within<T>(ms: number, work: () => Promise<T>): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}
