// Route guards. When a flag is off for this request the guard neither calls next() nor touches the response,
// so Koa answers exactly as it does for a route that does not exist (404 `Not Found`), with or without a router.
import type { FlagName, RequestFlags } from '@flagwise/core';
import {
  type CheckedGuard,
  checkGuard,
  flagAllows,
  guardWithoutFlagsError,
  settleRequestFlags,
} from '@flagwise/core/adapter';
import type { DefaultContext, DefaultState, Middleware, Next, ParameterizedContext } from 'koa';

/**
 * Options of `requireFeature()` and `requireVariant()`.
 * @example
 * requireFeature('checkout-open', { onDisabled: (ctx) => { ctx.status = 503; ctx.body = 'down for maintenance'; } })
 */
export interface GuardOptions<StateT = DefaultState, ContextT = DefaultContext> {
  /**
   * Runs instead of the route when the flag is off (a Koa middleware): answer 503 for maintenance, redirect,
   * or 403. Default: Koa's normal 404, as for a route that does not exist.
   */
  onDisabled?: Middleware<StateT, ContextT>;
}

const ON_DISABLED_EXAMPLE = "(ctx) => { ctx.status = 503; ctx.body = 'down for maintenance'; }";

/**
 * Runs the route only when the flag is on for this request; otherwise Koa's normal 404 (or `onDisabled`).
 * Needs `app.use(featureFlags())` before the routes.
 * @example
 * router.get('/beta', requireFeature('beta-page'), (ctx) => { ctx.body = 'beta'; });
 */
export function requireFeature<StateT = DefaultState, ContextT = DefaultContext>(
  name: FlagName,
  options: GuardOptions<StateT, ContextT> = {},
): Middleware<StateT, ContextT> {
  const checked = checkGuard<Middleware<StateT, ContextT>>('requireFeature', name, options, {
    onDisabledExample: ON_DISABLED_EXAMPLE,
  });
  return guard(`requireFeature('${checked.name}')`, checked);
}

/**
 * Runs the route only when this request gets one of the variants (the flag on, and the variant's name in the
 * list); otherwise Koa's normal 404 (or `onDisabled`).
 * @example
 * router.get('/checkout', requireVariant('checkout-flow', ['one-page']), (ctx) => { ctx.body = 'one page'; });
 */
export function requireVariant<StateT = DefaultState, ContextT = DefaultContext>(
  name: FlagName,
  variants: string | readonly string[],
  options: GuardOptions<StateT, ContextT> = {},
): Middleware<StateT, ContextT> {
  const checked = checkGuard<Middleware<StateT, ContextT>>('requireVariant', name, options, {
    variants,
    onDisabledExample: ON_DISABLED_EXAMPLE,
  });
  return guard(`requireVariant('${checked.name}')`, checked);
}

function guard<StateT, ContextT>(
  label: string,
  checked: CheckedGuard<Middleware<StateT, ContextT>>,
): Middleware<StateT, ContextT> {
  const { name, variants, onDisabled } = checked;
  return (ctx, next) => {
    const context = ctx as ParameterizedContext<any, any>;
    // ctx.flags first: the flags themselves; ctx.state.flags is their view for templates.
    const flags: RequestFlags | undefined = context.flags ?? context.state?.flags;
    if (typeof flags !== 'object' || flags === null) {
      throw guardWithoutFlagsError(
        checked,
        label,
        'featureFlags()',
        'add `app.use(featureFlags())` before your routes (before app.use(router.routes()))',
      );
    }
    // The request's context is taken now (auth has run), awaiting an async context hook or allow().
    const waiting = settleRequestFlags(flags);
    if (waiting === undefined) return decide(ctx, next, flags);
    return waiting.then(() => decide(ctx, next, flags));
  };
  function decide(ctx: ParameterizedContext<StateT, ContextT>, next: Next, flags: RequestFlags) {
    if (flagAllows(flags, name, variants, checked)) return next();
    return onDisabled?.(ctx, next);
  }
}
