import type { FastifyInstance } from 'fastify';
import { migrationsApplied } from '../../db/migrate.js';
import type { AppDeps } from '../app.js';

/** Liveness and readiness (SPEC §9). */
export async function healthRoutes(app: FastifyInstance, { db, google }: Pick<AppDeps, 'db' | 'google'>) {
  app.get('/health', { logLevel: 'warn' }, async () => ({ status: 'healthy', service: 'google-auth' }));

  app.get('/ready', { logLevel: 'warn' }, async (_request, reply) => {
    const migrations = await migrationsApplied(db).catch(() => false);
    const checks = {
      database: migrations || (await db.query('SELECT 1').then(() => true, () => false)),
      migrations,
      google_discovery: google.ready,
    };
    const ready = Object.values(checks).every(Boolean);
    if (!google.ready) void google.discover().catch(() => {});
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
