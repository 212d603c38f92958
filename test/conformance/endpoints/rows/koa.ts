// The endpoint table's Koa rows: Koa 2 and 3, the endpoint as `app.use(mountEndpoint(..., { prefix }))`.
import { type FlagsState, featureFlags, mountEndpoint } from '@flagwise/koa';
import Router from '@koa/router';
import { listen } from '../../rows/express.js';
import { contextFromHeaders, loadKoa } from '../../rows/koa.js';
import type { EndpointRow } from '../contract.js';
import { flagAnswer } from '../contract.js';

export const rows: EndpointRow[] = (['koa2', 'koa3'] as const).map((major) => ({
  name: `koa ${major.slice(3)}`,
  start: async (client, endpoint, prefix) => {
    const Koa = await loadKoa(major);
    const app = new Koa();
    app.use(featureFlags(client, { context: contextFromHeaders }));
    const mount = mountEndpoint(endpoint, { prefix });
    app.use(mount);
    const router = new Router<FlagsState>();
    router.get('/flag/:name', (ctx) => {
      ctx.body = flagAnswer(ctx.state.flags, ctx.params.name);
    });
    app.use(router.routes()).use(router.allowedMethods());
    const running = await listen(app);
    return {
      url: running.url,
      close: async () => {
        mount.close();
        await running.close();
      },
    };
  },
}));
