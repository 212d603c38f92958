// The endpoint table's Fastify rows: Fastify 4 and 5, the endpoint as `app.register(mountEndpoint(...), { prefix })`.
import { featureFlags, mountEndpoint } from '@flagwise/fastify';
import { header, listen, majors } from '../../rows/fastify.js';
import type { EndpointRow } from '../contract.js';
import { flagAnswer, CONTEXT_HEADERS as H } from '../contract.js';

export const rows: EndpointRow[] = majors.map(({ name, fastify }) => ({
  name,
  start: async (client, endpoint, prefix) => {
    const app = fastify();
    await app.register(featureFlags, {
      client,
      context: (request) => ({
        userId: header(request.headers[H.userId]),
        properties: { plan: header(request.headers[H.plan]) },
      }),
    });
    await app.register(mountEndpoint(endpoint), { prefix });
    app.get<{ Params: { name: string } }>('/flag/:name', async (request) =>
      flagAnswer(request.flags!, request.params.name),
    );
    return listen(app);
  },
}));
