// Route guards: when a flag is off for a request the route looks absent, so Fastify's own 404 answers
// (`reply.callNotFound()`: the same status, body and not-found handler as a route that does not exist).
import { ConfigurationError, type FlagName, flagAllows, type RequestFlags } from '@flagwise/core';
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

const GUARD_KEYS = new Set(['name', 'variants', 'onDisabled']);
const GUARD_MARK = Symbol.for('flagwise.fastify.guard');

/**
 * A hook that lets a request through only when the flag is on for it; otherwise the route looks absent and
 * Fastify's normal 404 answers (or `onDisabled`). Needs the plugin registered in this context or a parent.
 * @example
 * app.get('/beta', { preHandler: requireFeature('beta-page') }, async () => 'beta');
 * app.post('/checkout', { preHandler: requireFeature('checkout-open', { onDisabled: (req, reply) => reply.code(503).send() }) }, pay);
 */
export function requireFeature(name: FlagName, options: GuardOptions = {}): FeatureGuard {
  return createGuard('requireFeature', name, options);
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
  return createGuard('requireVariant', name, {
    ...checkOptionsObject('requireVariant', name, options),
    variants,
  });
}

/**
 * For the plugin's `onRoute` hook: the guard a route's `config.feature` asks for. Throws, naming the route,
 * when the config has the wrong shape.
 */
export function guardFromRouteConfig(feature: unknown, route: string): FeatureGuard {
  const where = `route ${route}: config.feature`;
  if (typeof feature === 'string') {
    if (feature === '') throw new ConfigurationError(`${where} is an empty string; give a flag name`);
    return createGuard(where, feature, {});
  }
  if (feature === null || typeof feature !== 'object' || Array.isArray(feature)) {
    throw new ConfigurationError(
      `${where} must be a flag name ('beta-page') or { name, variants?, onDisabled? }; got ${describe(feature)}`,
    );
  }
  const unknownKeys = Object.keys(feature).filter((key) => !GUARD_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new ConfigurationError(
      `${where} has unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')}` +
        `${unknownKeys.includes('variant') ? ' (did you mean "variants"?)' : ''}; it takes { name, variants?, onDisabled? }`,
    );
  }
  const { name, ...options } = feature as Omit<FeatureGuardConfig, 'name'> & { name: unknown };
  if (typeof name !== 'string' || name === '') {
    throw new ConfigurationError(
      `${where}.name must be a flag name, e.g. { name: 'beta-page' }; got ${describe(name)}`,
    );
  }
  return createGuard(where, name, options);
}

/** True for hooks made by requireFeature, requireVariant and route configs. */
export function isFeatureGuard(value: unknown): boolean {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[GUARD_MARK] === true;
}

function createGuard(caller: string, name: unknown, options: GuardOptions): FeatureGuard {
  if (typeof name !== 'string' || name === '') {
    throw new ConfigurationError(`${caller}(name): name must be a flag name, e.g. ${caller}("new-checkout")`);
  }
  const { variants, onDisabled } = checkOptionsObject(caller, name, options);
  const allowed = readVariants(caller, name, variants);
  if (onDisabled !== undefined && typeof onDisabled !== 'function') {
    throw new ConfigurationError(
      `${label(caller, name)}: onDisabled must be a function, e.g. (request, reply) => reply.code(503).send('down for maintenance'); ` +
        `got ${describe(onDisabled)}`,
    );
  }
  // Checked at run time above; names outside an app's FlagRegistry come only from route configs typed by it.
  const flag = name as FlagName;

  const guard: FeatureGuard = (request, reply, done) => {
    const flags = (request as { flags?: RequestFlags | null }).flags;
    if (flags == null) {
      done(notRegisteredError(caller, name));
      return;
    }
    if (flagAllows(flags, flag, allowed)) {
      done();
      return;
    }
    // Not calling done() ends the hook chain: the route's handler never runs.
    if (onDisabled === undefined) reply.callNotFound();
    else answerDisabled(onDisabled, request, reply, done);
  };
  Object.defineProperty(guard, GUARD_MARK, { value: true });
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

function readVariants(caller: string, name: string, variants: unknown): Set<string> | undefined {
  if (variants === undefined) return undefined;
  const list = typeof variants === 'string' ? [variants] : variants;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((variant) => typeof variant !== 'string' || variant === '')
  ) {
    throw new ConfigurationError(
      `${label(caller, name)}: variants must be a variant name or a non-empty list of them, e.g. ['b']; got ${describe(variants)}`,
    );
  }
  return new Set(list as string[]);
}

function checkOptionsObject<T extends object>(caller: string, name: unknown, options: T): T {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError(
      `${caller}("${String(name)}", options): options must be an object such as { variants, onDisabled }; got ${describe(options)}`,
    );
  }
  return options;
}

function label(caller: string, name: string): string {
  return caller.startsWith('route ') ? caller : `${caller}("${name}")`;
}

function notRegisteredError(caller: string, name: string): ConfigurationError {
  const what = caller.startsWith('route ') ? `${caller} ("${name}")` : `${caller}("${name}")`;
  return new ConfigurationError(
    `${what} found no request.flags: register the plugin first with \`await app.register(featureFlags)\` in this ` +
      "route's context or a parent one (a plugin registered in a sibling context does not reach it), and use the " +
      "guard in a hook that runs after the plugin's (by default onRequest; preHandler always works)",
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array ${safeJson(value)}`;
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object ${safeJson(value)}`;
  return `${typeof value} ${String(value)}`;
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return '(unprintable)';
  }
}
