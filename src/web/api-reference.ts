// The API reference at /api/docs: Swagger UI (@fastify/swagger-ui) over the
// app's OpenAPI document, its scripts and styles served from node_modules by
// this origin, never a CDN. The page loads no inline script or style, so it
// runs under S24's policy with a single addition on its own routes: images
// from data: URIs, which Swagger UI's stylesheet draws its icons with.
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { contentSecurityPolicy } from '../security/headers.js';

const API_REFERENCE_PATH = '/api/docs';

/** Registers the reference; call it after `registerOpenApi`, whose document it shows. */
export async function registerApiReference(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwaggerUi, {
    routePrefix: API_REFERENCE_PATH,
    // No top bar: it offers to load any other document by URL.
    uiConfig: { layout: 'BaseLayout', deepLinking: true, defaultModelsExpandDepth: 0 },
    staticCSP: contentSecurityPolicy({ 'img-src': "'self' data:" }),
  });
}
