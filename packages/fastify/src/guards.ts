// Route guards: when a flag is off for a request the route looks absent, so Fastify's own 404 answers
// (`reply.callNotFound()`: the same status, body and not-found handler as a route that does not exist).
import { ConfigurationError, type FlagName, type RequestFlags } from '@flagwise/core';
import {
  type CheckedGuard,
  checkGuard,
  checkKnownKeys,
  describeArgument,
  flagAllows,
  guardWithoutFlagsError,
  settleRequestFlags,
} from '@flagwise/core/adapter';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * Answers a request whose flag is off, instead of the 404. Like a Fastify handler: return a payload, or send
 * with `reply` and return `reply`. If it neither sends nor returns anything, the 404 answers after all.
 * @example onDisabled: (request, reply) => reply.code(503).send('down for maintenance')
 */
export type OnDisabled = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** What a guard does besides checking that its flag is on. */
export interface GuardOptions {
  /**
   * Let a request through only when it gets one of these variants of the flag.
   * @example variants: ['b']
   */
  variants?: string | readonly string[];
  /**
   * Answers when the flag is off (or the variant is not one of `variants`), instead of Fastify's 404: a 503
   * for maintenance, a redirect, a 403.
   * @example onDisabled: (request, reply) => reply.redirect('/waitlist')
   */
  onDisabled?: OnDisabled;
}

/**
 * The object form of a route's `config.feature`.
 * @example app.get('/checkout', { config: { feature: { name: 'checkout-open', onDisabled } } }, handler)
 */
export interface FeatureGuardConfig extends GuardOptions {
  name: FlagName;
}

/**
 * A route's `config.feature`: a flag name, or `{ name, variants?, onDisabled? }`.
 * @example app.get('/beta', { config: { feature: 'beta-page' } }, handler)
 */
export type FeatureRouteConfig = FlagName | FeatureGuardConfig;

/**
 * A Fastify hook (callback style) that lets a request through only when its flag is on; usable as a route's
 * `onRequest`, `preValidation` or `preHandler`.
 */
export type FeatureGuard = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

const GUARD_MARK = Symbol.for('flagwise.fastify.guard');
const ON_DISABLED_EXAMPLE = "(request, reply) => reply.code(503).send('down for maintenance')";

/**
 * A hook that lets a request through only when the flag is on for it; otherwise the route looks absent and
 * Fastify's normal 404 answers (or `onDisabled`). Needs the plugin registered in this context or a parent.
 * @example
 * app.get('/beta', { preHandler: requireFeature('beta-page') }, async () => 'beta');
 * app.post('/checkout', { preHandler: requireFeature('checkout-open', { onDisabled: (req, reply) => reply.code(503).send() }) }, pay);
 */
export function requireFeature(name: FlagName, options: GuardOptions = {}): FeatureGuard {
  const checked = checkGuard<OnDisabled>('requireFeature', name, options, {
    allowVariantsOption: true,
    onDisabledExample: ON_DISABLED_EXAMPLE,
  });
  return createGuard(`requireFeature('${checked.name}')`, checked);
}

/**
 * A hook that lets a request through only when the flag is on for it with one of the given variants;
 * otherwise the same as `requireFeature` when off.
 * @example
 * app.get('/checkout', { preHandler: requireVariant('checkout-flow', ['one-page']) }, onePageCheckout);
 */
export function requireVariant(
  name: FlagName,
  variants: string | readonly string[],
  options: Omit<GuardOptions, 'variants'> = {},
): FeatureGuard {
  const checked = checkGuard<OnDisabled>('requireVariant', name, options, {
    variants,
    onDisabledExample: ON_DISABLED_EXAMPLE,
  });
  return createGuard(`requireVariant('${checked.name}')`, checked);
}

/**
 * For the plugin's `onRoute` hook: the guard a route's `config.feature` asks for. Throws, naming the route,
 * when the config has the wrong shape.
 */
export function guardFromRouteConfig(feature: unknown, route: string): FeatureGuard {
  const where = `route ${route}: config.feature`;
  if (feature === null || typeof feature !== 'object' || Array.isArray(feature)) {
    if (typeof feature !== 'string') {
      throw new ConfigurationError(
        `${where} must be a flag name ('beta-page') or { name, variants?, onDisabled? }; got ${describeArgument(feature)}`,
      );
    }
    return createGuard(
      where,
      checkGuard<OnDisabled>(
        where,
        feature,
        {},
        { onDisabledExample: ON_DISABLED_EXAMPLE, plainLabel: true },
      ),
    );
  }
  checkKnownKeys(where, feature, ['name', 'variants', 'onDisabled']);
  const { name, ...options } = feature as { name?: unknown };
  const checked = checkGuard<OnDisabled>(`${where}.name`, name, options, {
    allowVariantsOption: true,
    onDisabledExample: ON_DISABLED_EXAMPLE,
    plainLabel: true,
  });
  return createGuard(where, checked);
}

/** The guard behind a hook made by requireFeature, requireVariant or a route config; undefined for other hooks. */
export function guardOf(value: unknown): CheckedGuard<OnDisabled> | undefined {
  if (typeof value !== 'function') return undefined;
  const guard = (value as unknown as Record<symbol, unknown>)[GUARD_MARK];
  return typeof guard === 'object' && guard !== null ? (guard as CheckedGuard<OnDisabled>) : undefined;
}

function createGuard(label: string, checked: CheckedGuard<OnDisabled>): FeatureGuard {
  const { name, variants, onDisabled } = checked;
  const guard: FeatureGuard = (request, reply, done) => {
    const flags = (request as { flags?: RequestFlags | null }).flags;
    if (flags == null) {
      done(
        guardWithoutFlagsError(
          checked,
          label,
          'featureFlags',
          "register the plugin first with `await app.register(featureFlags)` in this route's context or a parent " +
            'one (a plugin registered in a sibling context does not reach it), and use the guard in a hook that runs ' +
            "after the plugin's (by default onRequest; preHandler always works)",
        ),
      );
      return;
    }
    // The request's context is taken now (the hooks before this one have run), awaiting an async hook or allow().
    const waiting = settleRequestFlags(flags);
    if (waiting === undefined) decide(request, reply, done, flags);
    else waiting.then(() => decide(request, reply, done, flags), done);
  };
  const decide = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
    flags: RequestFlags,
  ) => {
    if (flagAllows(flags, name, variants, checked)) {
      done();
      return;
    }
    // Not calling done() ends the hook chain: the route's handler never runs.
    if (onDisabled === undefined) reply.callNotFound();
    else answerDisabled(onDisabled, request, reply, done);
  };
  Object.defineProperty(guard, GUARD_MARK, { value: checked });
  return guard;
}

function answerDisabled(
  onDisabled: OnDisabled,
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const finish = (result: unknown) => {
    if (result === reply || reply.sent) return;
    if (result !== undefined) reply.send(result);
    else reply.callNotFound();
  };
  let result: unknown;
  try {
    result = onDisabled(request, reply);
  } catch (error) {
    done(error as Error);
    return;
  }
  if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
    (result as PromiseLike<unknown>).then(finish, (error: unknown) => done(error as Error));
  } else {
    finish(result);
  }
}
