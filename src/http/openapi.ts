import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { packageVersion } from '../cli/usage.js';
import { describeOperations } from './api-docs/document.js';

/**
 * GET /openapi.json, generated from the route schemas and completed with each route's
 * description (api-docs/: operationId, summary, security, every answer and error code).
 * Register before the routes: the plugin collects them as they are added. The dev-mode emulator
 * is not part of the API.
 */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string, hiddenPrefix: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'seren-google-auth',
        version: packageVersion(),
        description:
          'Google OAuth token broker for Seren publishers. JSON errors are `{"error": "<code>", "message": "<sentence>", "request_id": "<id>", …}` ' +
          '(schema ApiError); every response carries `X-Request-Id`. The repository\'s docs/api.md describes every route and error code.',
        license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
      },
      servers: [{ url: publicUrl }],
    },
    transform: ({ schema, url }) => ({ schema: url.startsWith(hiddenPrefix) ? { ...schema, hide: true } : schema, url }),
    transformObject: (documents) => describeOperations(('openapiObject' in documents ? documents.openapiObject : {}) as Record<string, unknown>),
  });
  app.get('/openapi.json', async () => app.swagger());
}
