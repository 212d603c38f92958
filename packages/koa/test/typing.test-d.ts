// Type-level checks, run by `pnpm typecheck` (tsc), not by vitest: what a TypeScript user of the adapter sees.
import Router from '@koa/router';
import Koa, { type ParameterizedContext } from 'koa';
import { expectTypeOf } from 'vitest';
import {
  createFlags,
  type FeatureFlagsMiddleware,
  type FlagsClient,
  type FlagsState,
  featureFlags,
  memorySource,
  type RequestFlags,
  requireFeature,
  requireVariant,
} from '../src/index.js';

const client = createFlags({ source: memorySource() });

// app.use(featureFlags()) widens the app's state and context through Koa's Middleware generics.
const app = new Koa().use(featureFlags(client));
app.use((ctx) => {
  expectTypeOf(ctx.state.flags).toEqualTypeOf<RequestFlags>();
  expectTypeOf(ctx.flags).toEqualTypeOf<RequestFlags>();
  expectTypeOf(ctx.state.flags.isEnabled('any-name')).toBeBoolean();
});

expectTypeOf(featureFlags()).toEqualTypeOf<FeatureFlagsMiddleware>();
expectTypeOf(featureFlags().client).toMatchTypeOf<FlagsClient>();

// The context hook and onDisabled get a Koa context.
featureFlags({
  context: (ctx) => ({ userId: ctx.get('x-user'), properties: { plan: ctx.state.user?.plan } }),
});
featureFlags(client, { context: (ctx) => ({ remoteAddress: ctx.ip }), readyTimeoutMs: 2000 });
// @ts-expect-error the hook returns context fields, not a string
featureFlags(client, { context: () => 'user-1' });

// Guards go on @koa/router routes, typed by the router's state.
const router = new Router<FlagsState>();
router.get(
  '/beta',
  requireFeature('beta-page', { onDisabled: (ctx) => ctx.redirect('/') }),
  requireVariant('checkout-copy', ['short', 'long']),
  (ctx) => {
    expectTypeOf(ctx.state.flags).toEqualTypeOf<RequestFlags>();
  },
);
// @ts-expect-error variants are names
requireVariant('checkout-copy', [1]);

// A handler typed for FlagsState reads ctx.state.flags without casts.
export function pricing(ctx: ParameterizedContext<FlagsState>): void {
  ctx.body = ctx.state.flags.newPricing ? 'new' : 'old';
}
