// Route guards. When a flag is off for this request the guard neither calls next() nor touches the response,
// so Koa answers exactly as it does for a route that does not exist (404 `Not Found`), with or without a router.
import { ConfigurationError, type FlagName, flagAllows, type RequestFlags } from '@flagwise/core';
import type { DefaultContext, DefaultState, Middleware, ParameterizedContext } from 'koa';

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
  checkName('requireFeature', name);
  const onDisabled = checkOnDisabled('requireFeature', options);
  const guard: Middleware<StateT, ContextT> = (ctx, next) => {
    if (flagAllows(flagsOf(ctx, 'requireFeature', name), name)) return next();
    return onDisabled?.(ctx, next);
  };
  return guard;
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
  checkName('requireVariant', name);
  const allowed = typeof variants === 'string' ? [variants] : variants;
  if (!Array.isArray(allowed) || allowed.length === 0 || allowed.some((v) => typeof v !== 'string')) {
    throw new ConfigurationError(
      `requireVariant('${name}', variants): variants must be a variant name or a non-empty list of names, ` +
        `e.g. requireVariant('${name}', ['b'])`,
    );
  }
  const onDisabled = checkOnDisabled('requireVariant', options);
  const allowedSet = new Set(allowed);
  const guard: Middleware<StateT, ContextT> = (ctx, next) => {
    if (flagAllows(flagsOf(ctx, 'requireVariant', name), name, allowedSet)) return next();
    return onDisabled?.(ctx, next);
  };
  return guard;
}

function flagsOf(ctx: ParameterizedContext<any, any>, guard: string, name: string): RequestFlags {
  const flags: RequestFlags | undefined = ctx.state?.flags ?? ctx.flags;
  // A plain object check: isRequestFlags() goes through a Proxy trap on every guarded request.
  if (typeof flags !== 'object' || flags === null) {
    throw new ConfigurationError(
      `${guard}('${name}') ran before featureFlags(): add \`app.use(featureFlags())\` before your routes ` +
        '(before app.use(router.routes()))',
    );
  }
  return flags;
}

function checkName(guard: string, name: unknown): void {
  if (typeof name !== 'string' || name === '') {
    throw new ConfigurationError(`${guard}(name): name must be a flag name, e.g. ${guard}('beta-page')`);
  }
}

function checkOnDisabled<T>(guard: string, options: { onDisabled?: T }): T | undefined {
  const onDisabled = options?.onDisabled;
  if (onDisabled !== undefined && typeof onDisabled !== 'function') {
    throw new ConfigurationError(
      `${guard}(name, { onDisabled }): onDisabled must be a Koa middleware, e.g. ` +
        "(ctx) => { ctx.status = 503; ctx.body = 'down for maintenance'; }",
    );
  }
  return onDisabled;
}
