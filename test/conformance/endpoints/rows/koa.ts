// The endpoint table's Koa rows: Koa 2 and 3, each endpoint as `app.use(mountEndpoint(..., { prefix }))`.
import { type FlagsState, featureFlags, mountEndpoint } from '@flagwise/koa';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { listen } from '../../rows/express.js';
import { contextFromHeaders, loadKoa } from '../../rows/koa.js';
import type { EndpointRow } from '../contract.js';
import { flagAnswer, streamDigest } from '../contract.js';

export const rows: EndpointRow[] = (['koa2', 'koa3'] as const).map((major) => ({
  name: `koa ${major.slice(3)}`,
  start: async (client, endpoint, prefix, more = []) => {
    const Koa = await loadKoa(major);
    const app = new Koa();
    app.use(featureFlags(client, { context: contextFromHeaders }));
    const mounts = [{ endpoint, prefix }, ...more].map((mount) =>
      mountEndpoint(mount.endpoint, { prefix: mount.prefix }),
    );
    for (const mount of mounts) app.use(mount);
    const router = new Router<FlagsState>();
    router.get('/flag/:name', (ctx) => {
      ctx.body = flagAnswer(ctx.state.flags, ctx.params.name);
    });
    router.post('/app/json', bodyParser(), (ctx) => {
      ctx.body = { body: ctx.request.body ?? null };
    });
    router.post('/app/raw', async (ctx) => {
      ctx.body = await streamDigest(ctx.req);
    });
    app.use(router.routes()).use(router.allowedMethods());
    const running = await listen(app);
    return {
      url: running.url,
      close: async () => {
        for (const mount of mounts) mount.close();
        await running.close();
      },
    };
  },
}));
