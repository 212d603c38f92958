// A FlagRegistry narrows flag names in guards and the camelCase properties of ctx.state.flags.
import { type FlagsState, featureFlags, requireFeature, requireVariant } from '@flagwise/koa';
import Koa, { type ParameterizedContext } from 'koa';

declare module '@flagwise/core' {
  interface FlagRegistry {
    'new-pricing': true;
    'beta-page': true;
    checkout_copy: true;
  }
}

const app = new Koa<FlagsState>();
app.use(featureFlags());
app.use(requireFeature('beta-page'));
app.use(requireVariant('checkout_copy', ['short']));
app.use((ctx: ParameterizedContext<FlagsState>) => {
  const property: boolean = ctx.state.flags.newPricing;
  const snake: boolean = ctx.state.flags.checkoutCopy;
  const exact: boolean = ctx.state.flags['new-pricing'];
  // @ts-expect-error not a declared flag
  ctx.state.flags.newPricng;
  // @ts-expect-error not a declared flag
  ctx.state.flags.isEnabled('new-pricng');
  ctx.body = { property, snake, exact };
});
// @ts-expect-error not a declared flag
requireFeature('new-pricng');
