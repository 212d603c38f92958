// What the fragments of @flagwise/koa's README take from its first snippet, and the route handlers they name,
// written as an app would write them.
import type { FlagsState } from '@flagwise/koa';
import Router from '@koa/router';
import Koa, { type ParameterizedContext } from 'koa';

export { featureFlags, requireFeature, requireVariant } from '@flagwise/koa';

export const app = new Koa();
export const router = new Router<FlagsState>();
export const showBeta = (ctx: ParameterizedContext<FlagsState>) => {
  ctx.body = 'beta';
};
export const onePageCheckout = (ctx: ParameterizedContext<FlagsState>) => {
  ctx.body = 'one page';
};
export const pay = (ctx: ParameterizedContext<FlagsState>) => {
  ctx.body = { paid: true };
};
export const newNav = (ctx: ParameterizedContext<FlagsState>) => {
  ctx.body = 'new nav';
};
