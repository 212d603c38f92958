// Route guards: when a flag is off for this request the route looks absent, so the app's own 404 answers.
import { ConfigurationError, type FlagName, flagAllows } from '@flagwise/core';
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
  checkGuardArguments('requireFeature', name, options);
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const flags = flagsOf(req);
    if (flags === undefined) return next(missingMiddlewareError('requireFeature', name));
    if (flagAllows(flags, name)) return next();
    refuse(guard, req, res, next, options);
  };
  return guard;
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
  checkGuardArguments('requireVariant', name, options);
  const allowed = new Set(typeof variants === 'string' ? [variants] : variants);
  if (allowed.size === 0 || [...allowed].some((v) => typeof v !== 'string' || v === '')) {
    throw new ConfigurationError(
      `requireVariant("${name}", variants): variants must be a variant name or a non-empty list of them, ` +
        `e.g. requireVariant("${name}", ["b"])`,
    );
  }
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const flags = flagsOf(req);
    if (flags === undefined) return next(missingMiddlewareError('requireVariant', name));
    if (flagAllows(flags, name, allowed)) return next();
    refuse(guard, req, res, next, options);
  };
  return guard;
}

function refuse(
  guard: RequestHandler,
  req: Request,
  res: Response,
  next: NextFunction,
  options: GuardOptions,
): void {
  if (options.onDisabled) {
    options.onDisabled(req, res, next);
    return;
  }
  // Is this guard one of the current route's handlers (app.get/router.get), or router middleware (use)?
  const route = req.route as { stack?: { handle?: unknown }[] } | undefined;
  const onThisRoute = route?.stack?.some((layer) => layer.handle === guard) === true;
  next(onThisRoute ? 'route' : 'router');
}

function missingMiddlewareError(guard: string, name: string): ConfigurationError {
  return new ConfigurationError(
    `${guard}("${name}") ran before featureFlags(): add \`app.use(featureFlags())\` before this route ` +
      '(req.flags is not set)',
  );
}

function checkGuardArguments(guard: string, name: unknown, options: GuardOptions): void {
  if (typeof name !== 'string' || name === '') {
    throw new ConfigurationError(`${guard}(name): name must be a flag name, e.g. ${guard}("new-checkout")`);
  }
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      `${guard}("${name}", options): options must be an object such as { onDisabled }`,
    );
  }
  if (options.onDisabled !== undefined && typeof options.onDisabled !== 'function') {
    throw new ConfigurationError(
      `${guard}("${name}", { onDisabled }): onDisabled must be a handler, e.g. (req, res) => res.sendStatus(503)`,
    );
  }
}
