// Route guards: when a flag is off for this request the route looks absent, so the app's own 404 answers.
import type { FlagName, RequestFlags } from '@flagwise/core';
import {
  type CheckedGuard,
  checkGuard,
  flagAllows,
  guardWithoutFlagsError,
  settleRequestFlags,
} from '@flagwise/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { flagsOf } from './get-flags.js';

/** What a guard does instead of its default 404. */
export interface GuardOptions {
  /**
   * Answers when the flag is off (or the variant is not one of the allowed), instead of the app's 404.
   * An Express handler: it may answer, redirect, or call `next(...)`.
   * @example onDisabled: (req, res) => res.status(503).send('down for maintenance')
   */
  onDisabled?: (req: Request, res: Response, next: NextFunction) => void;
}

type OnDisabled = NonNullable<GuardOptions['onDisabled']>;
const ON_DISABLED_EXAMPLE = '(req, res) => res.sendStatus(503)';

/**
 * Lets a request through only when the flag is on for it. Otherwise the route looks absent: the rest of its
 * handlers are skipped and the app's normal 404 answers (or `onDisabled`). Needs `featureFlags()` first.
 *
 * On a route (`app.get(path, guard, handler)`, `router.get(...)`) it skips that route's handlers with
 * `next('route')`, so later routes and the app's own 404 handler still run. With `router.use(guard)` it leaves
 * that router with `next('router')`; at the app's top level (`app.use(guard)`) that is Express's final 404.
 * @example
 * app.get('/beta', requireFeature('beta-page'), (req, res) => res.render('beta'));
 * app.post('/checkout', requireFeature('checkout-open', { onDisabled: (req, res) => res.sendStatus(503) }), pay);
 */
export function requireFeature(name: FlagName, options: GuardOptions = {}): RequestHandler {
  const checked = checkGuard<OnDisabled>('requireFeature', name, options, {
    onDisabledExample: ON_DISABLED_EXAMPLE,
  });
  return guard(`requireFeature('${checked.name}')`, checked);
}

/**
 * Lets a request through only when the flag is on for it with one of the given variants; otherwise the same
 * as `requireFeature` when off. Needs `featureFlags()` first.
 * @example
 * app.get('/checkout', requireVariant('checkout-flow', ['one-page']), onePageCheckout);
 * app.get('/checkout', (req, res) => res.render('checkout'));   // everyone else
 */
export function requireVariant(
  name: FlagName,
  variants: string | readonly string[],
  options: GuardOptions = {},
): RequestHandler {
  const checked = checkGuard<OnDisabled>('requireVariant', name, options, {
    variants,
    onDisabledExample: ON_DISABLED_EXAMPLE,
  });
  return guard(`requireVariant('${checked.name}')`, checked);
}

function guard(label: string, checked: CheckedGuard<OnDisabled>): RequestHandler {
  const { name, variants, onDisabled } = checked;
  const handler = (req: Request, res: Response, next: NextFunction) => {
    const flags = flagsOf(req);
    if (flags === undefined) {
      return next(
        guardWithoutFlagsError(
          checked,
          label,
          'featureFlags()',
          'add `app.use(featureFlags())` before this route (req.flags is not set)',
        ),
      );
    }
    // The request's context is taken now (auth has run), awaiting an async context hook or allow().
    const waiting = settleRequestFlags(flags);
    if (waiting === undefined) return decide(req, res, next, flags);
    waiting.then(() => decide(req, res, next, flags), next);
  };
  const decide = (req: Request, res: Response, next: NextFunction, flags: RequestFlags) => {
    if (flagAllows(flags, name, variants, checked)) return next();
    if (onDisabled !== undefined) return onDisabled(req, res, next);
    // Is this guard one of the current route's handlers (app.get/router.get), or router middleware (use)?
    const route = req.route as { stack?: { handle?: unknown }[] } | undefined;
    const onThisRoute = route?.stack?.some((layer) => layer.handle === handler) === true;
    next(onThisRoute ? 'route' : 'router');
  };
  return handler;
}
