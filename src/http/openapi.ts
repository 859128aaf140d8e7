import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/**
 * GET /openapi.json, generated from the route schemas. Register before the routes: the plugin
 * collects them as they are added. The dev-mode emulator is not part of the API.
 */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string, hiddenPrefix: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'seren-google-auth',
        version: '1',
        description: 'Google OAuth token broker for Seren publishers. Errors are {"error": "<code>", "message": "<sentence>", ...}; see SPEC §3.',
      },
      servers: [{ url: publicUrl }],
      components: { securitySchemes: { serenApiKey: { type: 'http', scheme: 'bearer', description: 'The Seren API key of the agent’s user' } } },
    },
    transform: ({ schema, url }) => ({ schema: url.startsWith(hiddenPrefix) ? { ...schema, hide: true } : schema, url }),
  });
  app.get('/openapi.json', { schema: { summary: 'This API description (OpenAPI 3)', tags: ['operations'] } }, async () => app.swagger());
}
