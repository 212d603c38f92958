// The Fastify plugin: one call into the core per request, in one hook, then `request.flags` (and
// `reply.locals.flags` for @fastify/view) point at the lazy per-request flags. Routes whose `config.feature`
// names a flag get a guard hook when they are declared. Everything worth testing on its own (context,
// overrides, evaluation) lives in core.
import {
  ConfigurationError,
  type ContextHook,
  createFlags,
  type FlagsClient,
  type FlagsOptions,
  FlagwiseError,
  type RequestFlags,
} from '@flagwise/core';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { type FeatureRouteConfig, guardFromRouteConfig, isFeatureGuard } from './guards.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * This request's flags, set by @flagwise/fastify: lazy, memoized, camelCase properties
     * (`request.flags.newPricing`), `isEnabled(name)`, `variant(name)`, `explain(name)`. `null` until the
     * plugin's hook has run; absent on routes outside the context the plugin was registered in.
     */
    flags: RequestFlags;
  }
  interface FastifyInstance {
    /** the flags client of @flagwise/fastify (created from the plugin's options, or the one given) */
    featureFlags: FlagsClient<FastifyRequest>;
  }
  interface FastifyContextConfig {
    /**
     * Serve this route only when the flag is on for the request; otherwise Fastify's normal 404.
     * @example { config: { feature: 'beta-page' } }
     * @example { config: { feature: { name: 'checkout-open', onDisabled: (req, reply) => reply.code(503).send() } } }
     */
    feature?: FeatureRouteConfig;
  }
}

/** The request lifecycle hooks the plugin can fill `request.flags` in. */
export type FlagsHookName = 'onRequest' | 'preValidation' | 'preHandler';

/** What the plugin adds on top of the client's options. */
export interface FastifyAdapterOptions {
  /**
   * Adds context fields for a request, on top of the defaults (`request.user?.id`,
   * `request.session?.sessionId`, `request.ip`, which follows Fastify's `trustProxy`).
   * @example context: (request) => ({ properties: { plan: request.headers['x-plan'] as string } })
   */
  context?: ContextHook<FastifyRequest>;
  /**
   * How long `app.ready()` waits for the flags to load. After that the app starts anyway, a warning is
   * logged and requests read fallbacks (flags off, guarded routes 404) until the source catches up — unless
   * `failOnNotReady` is set. Default 5000; kept below Fastify's `pluginTimeout`.
   */
  readyTimeoutMs?: number;
  /** Make `app.ready()` (and `listen()`) reject when the flags are not ready in time. Default false. */
  failOnNotReady?: boolean;
  /**
   * The hook that fills `request.flags`; `config.feature` guards run in the same one. Default `onRequest`.
   * Pick `preValidation` or `preHandler` when `request.user` is set by a route-level `onRequest` hook (e.g.
   * `onRequest: [app.authenticate]` with @fastify/jwt), so the user id is known.
   */
  hook?: FlagsHookName;
}

/** Options that create the client: the core's options (source, logger, overrides...) and the plugin's. */
export interface FeatureFlagsPluginOptions extends FlagsOptions<FastifyRequest>, FastifyAdapterOptions {
  client?: undefined;
}

/** Options that bring a client made with `createFlags()`; the plugin then leaves closing it to you. */
export interface FeatureFlagsClientOptions extends FastifyAdapterOptions {
  client: FlagsClient<FastifyRequest> | FlagsClient;
}

/** What `app.register(featureFlags, options)` takes. */
export type FeatureFlagsOptions = FeatureFlagsPluginOptions | FeatureFlagsClientOptions;

const DEFAULT_READY_TIMEOUT_MS = 5000;
const HOOK_NAMES: readonly FlagsHookName[] = ['onRequest', 'preValidation', 'preHandler'];
const CLIENT_OPTION_KEYS = ['source', 'appName', 'environment', 'strategies', 'logger', 'overrides'] as const;

// Fields that session and auth plugins (@fastify/session, @fastify/passport, @fastify/jwt) add.
interface SessionAndUser {
  user?: unknown;
  session?: { sessionId?: unknown } | null;
}

type Locals = Record<string, unknown> | null | undefined;

const plugin: FastifyPluginAsync<FeatureFlagsOptions> = async (fastify, options) => {
  if (fastify.hasRequestDecorator('flags')) {
    throw new ConfigurationError(
      '@flagwise/fastify is already registered in this context or a parent one (request.flags exists; or ' +
        'another plugin decorates request.flags): register it once, at the root for every route or inside ' +
        'the plugin whose routes need it',
    );
  }
  const { client, ownsClient, adapter } = resolveClient(fastify, options);
  const hookName = adapter.hook ?? 'onRequest';
  const contextHook = adapter.context;
  // The Cookie header and the query matter only to QA overrides: left alone when overrides are off.
  const readsOverrides = client.overridesEnabled;

  // Declared up front with null so every request object has the same shape (and Fastify 5 refuses objects).
  fastify.decorateRequest('flags', null as unknown as RequestFlags);
  fastify.decorate('featureFlags', client as FlagsClient<FastifyRequest>);
  // @fastify/view renders with reply.locals. Declaring it here (when no one has) also stops @fastify/view,
  // registered later, from adding its own hook that would replace the object after ours ran.
  if (!fastify.hasReplyDecorator('locals')) fastify.decorateReply('locals', null);

  fastify.addHook(
    hookName,
    function attachFlags(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
      const extras = request as FastifyRequest & SessionAndUser;
      const { flags, setCookie } = client.forRequest(
        request,
        {
          user: extras.user,
          sessionId: extras.session?.sessionId,
          // request.ip honours the app's trustProxy setting.
          ip: request.ip,
          cookieHeader: readsOverrides ? request.headers.cookie : undefined,
          query: readsOverrides ? (request.query as Record<string, unknown> | undefined) : undefined,
        },
        contextHook,
      );
      request.flags = flags;
      const holder = reply as unknown as { locals: Locals };
      const locals = holder.locals;
      if (locals == null) holder.locals = { flags };
      else locals.flags = flags;
      // reply.header appends Set-Cookie values; the app's own cookies stay.
      if (setCookie !== undefined) reply.header('set-cookie', setCookie);
      done();
    },
  );

  fastify.addHook('onRoute', (route) => {
    const feature = (route.config as { feature?: unknown } | undefined)?.feature;
    if (feature === undefined) return;
    const guard = guardFromRouteConfig(feature, `${describeMethod(route.method)} ${route.url}`);
    const existing = route[hookName] as RouteOptions['onRequest'];
    const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    if (hooks.some(isFeatureGuard)) return;
    // A new array: Fastify's automatic HEAD route shares the original one.
    (route as unknown as Record<string, unknown>)[hookName] = [...hooks, guard];
  });

  if (ownsClient) fastify.addHook('onClose', () => client.close());

  await awaitReady(fastify, client, adapter);
};

/**
 * The Fastify plugin: `request.flags` on every request in the context it is registered in, `app.featureFlags`
 * (the client), guards from `config: { feature }`, and `reply.locals.flags` for @fastify/view templates.
 * Given options it creates the client (default source: flags.yaml in the working directory) and closes it
 * with the app; given `{ client }` it uses that one. `app.ready()` waits for the flags up to `readyTimeoutMs`.
 * @example
 * await app.register(featureFlags);                                   // flags.yaml in the working directory
 * await app.register(featureFlags, { source: fileSource('config/flags.yaml') });
 * app.get('/beta', { config: { feature: 'beta-page' } }, async () => 'beta');
 * app.get('/pricing', async (request) => (request.flags.newPricing ? 'new' : 'old'));
 */
export const featureFlags: FastifyPluginAsync<FeatureFlagsOptions> = fp(
  // fastify-plugin's types may resolve another copy of fastify; the plugin's own type is the contract.
  plugin as unknown as Parameters<typeof fp>[0],
  { name: '@flagwise/fastify', fastify: '4.x || 5.x' },
) as unknown as FastifyPluginAsync<FeatureFlagsOptions>;

function resolveClient(
  fastify: FastifyInstance,
  options: FeatureFlagsOptions | undefined,
): { client: FlagsClient<FastifyRequest>; ownsClient: boolean; adapter: FastifyAdapterOptions } {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      'app.register(featureFlags, options): options must be an object such as { source: fileSource("flags.yaml") } ' +
        'or { client }, or left out (flags.yaml in the working directory)',
    );
  }
  const adapter = checkAdapterOptions(options);
  if (options.client !== undefined) {
    if (typeof (options.client as Partial<FlagsClient> | null)?.forRequest !== 'function') {
      throw new ConfigurationError(
        'app.register(featureFlags, { client }): client must be a flags client from createFlags()',
      );
    }
    const given = options as unknown as Record<string, unknown>;
    const mixed = CLIENT_OPTION_KEYS.filter((key) => given[key] !== undefined);
    if (mixed.length > 0) {
      throw new ConfigurationError(
        `app.register(featureFlags, { client, ${mixed.join(', ')} }): ${mixed.join(', ')} configure a client the ` +
          'plugin creates; with { client } pass them to createFlags() instead',
      );
    }
    return { client: options.client as FlagsClient<FastifyRequest>, ownsClient: false, adapter };
  }
  const flagsOptions: FlagsOptions<FastifyRequest> = { logger: fastify.log };
  for (const key of CLIENT_OPTION_KEYS) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) (flagsOptions as Record<string, unknown>)[key] = value;
  }
  return { client: createFlags<FastifyRequest>(flagsOptions), ownsClient: true, adapter };
}

function checkAdapterOptions(options: FastifyAdapterOptions): FastifyAdapterOptions {
  const { context, readyTimeoutMs, failOnNotReady, hook } = options;
  if (context !== undefined && typeof context !== 'function') {
    throw new ConfigurationError(
      'featureFlags({ context }): context must be a function (request) => ({ ...fields }), ' +
        "e.g. (request) => ({ properties: { plan: request.headers['x-plan'] } })",
    );
  }
  if (readyTimeoutMs !== undefined && !(typeof readyTimeoutMs === 'number' && readyTimeoutMs >= 0)) {
    throw new ConfigurationError(
      `featureFlags({ readyTimeoutMs }): readyTimeoutMs must be a number of milliseconds ≥ 0; got ${String(readyTimeoutMs)}`,
    );
  }
  if (failOnNotReady !== undefined && typeof failOnNotReady !== 'boolean') {
    throw new ConfigurationError('featureFlags({ failOnNotReady }): failOnNotReady must be true or false');
  }
  if (hook !== undefined && !HOOK_NAMES.includes(hook)) {
    throw new ConfigurationError(
      `featureFlags({ hook }): hook must be one of ${HOOK_NAMES.map((h) => `"${h}"`).join(', ')}; got ${String(hook)}`,
    );
  }
  return { context, readyTimeoutMs, failOnNotReady, hook };
}

async function awaitReady(
  fastify: FastifyInstance,
  client: FlagsClient<FastifyRequest>,
  adapter: FastifyAdapterOptions,
): Promise<void> {
  if (client.isReady) return;
  const wanted = adapter.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  // Fastify aborts a plugin that takes longer than pluginTimeout with a generic error; give up before it.
  const pluginTimeout = Number(fastify.initialConfig.pluginTimeout ?? 10_000);
  const limit = pluginTimeout > 0 ? Math.max(pluginTimeout - 1000, Math.floor(pluginTimeout / 2)) : wanted;
  const timeoutMs = Math.min(wanted, limit);
  try {
    await client.ready({ timeoutMs });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (adapter.failOnNotReady) {
      throw new FlagwiseError('NOT_READY', `@flagwise/fastify: the flags are not ready: ${reason}`, {
        cause: error,
      });
    }
    fastify.log.warn(
      { err: error, status: client.status },
      `flagwise: starting without flags (they read as off, guarded routes answer 404 until they load): ${reason}`,
    );
  }
}

function describeMethod(method: RouteOptions['method']): string {
  return Array.isArray(method) ? method.join('|') : String(method);
}
