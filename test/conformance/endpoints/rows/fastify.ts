// The endpoint table's Fastify rows: Fastify 4 and 5, each endpoint as `app.register(mountEndpoint(...), { prefix })`.
import { featureFlags, mountEndpoint } from '@flagwise/fastify';
import { header, listen, majors } from '../../rows/fastify.js';
import type { EndpointRow } from '../contract.js';
import { flagAnswer, CONTEXT_HEADERS as H, streamDigest } from '../contract.js';

export const rows: EndpointRow[] = majors.map(({ name, fastify }) => ({
  name,
  start: async (client, endpoint, prefix, more = []) => {
    const app = fastify();
    await app.register(featureFlags, {
      client,
      context: (request) => ({
        userId: header(request.headers[H.userId]),
        properties: { plan: header(request.headers[H.plan]) },
      }),
    });
    for (const mount of [{ endpoint, prefix }, ...more])
      await app.register(mountEndpoint(mount.endpoint), { prefix: mount.prefix });
    app.get<{ Params: { name: string } }>('/flag/:name', async (request) =>
      flagAnswer(request.flags!, request.params.name),
    );
    app.post('/app/json', async (request) => ({ body: request.body ?? null }));
    // An octet-stream body left unread for the route, which reads the stream itself.
    await app.register(async (raw) => {
      raw.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));
      raw.post('/app/raw', async (request) => streamDigest(request.raw));
    });
    return listen(app);
  },
}));
