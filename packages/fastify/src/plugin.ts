// The Fastify plugin: one call into the core per request, in one hook, then `request.flags` (and their template
// view `reply.locals.flags`, for @fastify/view) point at the lazy per-request flags, whose context is taken at
// their first read (so a later hook that authenticates, e.g. @fastify/jwt's, is in it). Routes whose `config.feature`
// names a flag get a guard hook when they are declared. Everything worth testing on its own (context,
// overrides, evaluation) lives in core.
import {
  type AdapterOptions,
  ConfigurationError,
  type FlagsClient,
  type FlagsOptions,
  type RequestFlags,
} from '@flagwise/core';
import {
  flagsReadiness,
  oneOf,
  type RequestInput,
  type RequestReader,
  requestFlagsLater,
  requestOutcomes,
  setUpAdapter,
  templateView,
  watchGuardedFlags,
} from '@flagwise/core/adapter';
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { type FeatureGuard, type FeatureRouteConfig, guardFromRouteConfig, guardOf } from './guards.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * This request's flags, set by @flagwise/fastify: lazy, memoized, camelCase properties
     * (`request.flags.newPricing`), `isEnabled(name)`, `variant(name)`, `explain(name)`. `null` until the
     * plugin's hook has run (in a route handler it has: `request.flags!`); absent on routes outside the context
     * the plugin was registered in.
     */
    flags: RequestFlags | null;
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
    // NoInfer: Fastify infers the route's config type from the object given; without it a misspelled flag under a
    // typed FlagRegistry is reported against that inferred type, not as a flag name that is not declared.
    feature?: NoInfer<FeatureRouteConfig>;
  }
}

/** The request lifecycle hooks the plugin can fill `request.flags` in. */
export type FlagsHookName = 'onRequest' | 'preValidation' | 'preHandler';

/**
 * What the plugin adds on top of the client's options: `context`, the startup (`readyTimeoutMs`: how long
 * `app.ready()` waits for the flags, kept below Fastify's `pluginTimeout`, default 5000; `startOnFallbacks`;
 * `failOnNotReady`), `visitorId`, and the one below.
 */
export interface FastifyAdapterOptions extends AdapterOptions<FastifyRequest> {
  /**
   * The hook that fills `request.flags`; `config.feature` guards run in the same one. Default `onRequest`.
   * Pick `preValidation` or `preHandler` when `request.user` is set by a route-level `onRequest` hook (e.g.
   * `onRequest: [app.authenticate]` with @fastify/jwt), so the user id is known.
   */
  hook?: FlagsHookName;
}

/** Options that create the client: the core's options (source, logger, overrides...) and the plugin's. */
export interface FeatureFlagsOptions extends FlagsOptions<FastifyRequest>, FastifyAdapterOptions {
  client?: undefined;
}

/** Options that bring a client made with `createFlags()`; the plugin then leaves closing it to you. */
export interface FeatureFlagsClientOptions extends FastifyAdapterOptions {
  client: FlagsClient<FastifyRequest> | FlagsClient;
}

/** What `app.register(featureFlags, options)` takes: options, `{ client, ...options }`, or a client. */
export type FeatureFlagsPluginOptions = FeatureFlagsOptions | FeatureFlagsClientOptions | FlagsClient;

// Fields that session and auth plugins (@fastify/session, @fastify/passport, @fastify/jwt) add.
interface SessionAndUser {
  user?: unknown;
  session?: unknown;
}

type Locals = Record<string, unknown> | null | undefined;

const plugin: FastifyPluginAsync<FeatureFlagsPluginOptions> = async (fastify, options) => {
  if (fastify.hasRequestDecorator('flags')) {
    throw new ConfigurationError(
      '@flagwise/fastify is already registered in this context or a parent one (request.flags exists; or ' +
        'another plugin decorates request.flags): register it once, at the root for every route or inside ' +
        'the plugin whose routes need it',
    );
  }
  const {
    client,
    ownsClient,
    options: adapter,
    visitors,
    readsCookies,
    readsQuery,
  } = setUpAdapter<FastifyRequest, Pick<FastifyAdapterOptions, 'hook'>>(
    {
      entry: 'app.register(featureFlags, options)',
      options: { hook: oneOf('onRequest', 'preValidation', 'preHandler') },
      // Fastify's own register options, read by Fastify from the same object.
      frameworkKeys: ['prefix', 'logLevel', 'logSerializers'],
      logger: fastify.log,
      hints: {
        visitorId: 'app.register(featureFlags, { visitorId: true })',
        trustProxy: "Fastify({ trustProxy: true }) (or the proxy's address: Fastify's trustProxy option)",
      },
    },
    options,
  );
  const hookName = adapter.hook ?? 'onRequest';
  const contextHook = adapter.context;
  watchGuardedFlags(client);

  // Declared up front with null so every request object has the same shape (and Fastify 5 refuses objects).
  fastify.decorateRequest('flags', null as unknown as RequestFlags);
  fastify.decorate('featureFlags', client as FlagsClient<FastifyRequest>);
  // @fastify/view renders with reply.locals. Declaring it here (when no one has) also stops @fastify/view,
  // registered later, from adding its own hook that would replace the object after ours ran.
  if (!fastify.hasReplyDecorator('locals')) fastify.decorateReply('locals', null);

  // What the flags read of the request at their first read (after the hooks that authenticate it).
  const reader: RequestReader<FastifyRequest, FastifyReply> = {
    inputOf(request: FastifyRequest): RequestInput {
      const extras = request as FastifyRequest & SessionAndUser;
      const ip = request.ip;
      return {
        user: extras.user,
        session: extras.session,
        // request.ip honours the app's trustProxy setting.
        ip,
        cookieHeader: readsCookies ? request.headers.cookie : undefined,
        query: readsQuery ? (request.query as Record<string, unknown> | undefined) : undefined,
        secure: visitors !== undefined && request.protocol === 'https',
        // X-Forwarded-For that trustProxy left unread: request.ip is then the socket's own address.
        forwarded: request.headers['x-forwarded-for'] !== undefined && ip === request.socket?.remoteAddress,
      };
    },
    setCookies(reply: FastifyReply, cookies: string[]) {
      // A first read after the response started can no longer add a header; what prepare() sent stays.
      // reply.header appends Set-Cookie values; the app's own cookies stay.
      if (!reply.sent && !reply.raw.headersSent) reply.header('set-cookie', cookies);
    },
    setHeaders(reply: FastifyReply, headers: Record<string, string>) {
      if (!reply.sent && !reply.raw.headersSent) reply.headers(headers);
    },
  };
  // Filled by requestFlagsLater and read right after, synchronously: one object serves every request.
  const prepared: { waiting: Promise<void> | undefined } = { waiting: undefined };

  fastify.addHook(
    hookName,
    function attachFlags(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
      const flags = requestFlagsLater(client, request, reply, reader, contextHook, visitors, prepared);
      const waiting = prepared.waiting;
      request.flags = flags;
      const holder = reply as unknown as { locals: Locals };
      const locals = holder.locals;
      const view = templateView(flags);
      if (locals == null) holder.locals = { flags: view };
      else locals.flags = view;
      if (waiting === undefined) done();
      else waiting.then(() => done(), done);
    },
  );

  // Each request's duration and status by the flags it read, when telemetry is on: Fastify's own timing.
  const outcomes = requestOutcomes(client);
  if (outcomes !== undefined) {
    const thrown = new WeakMap<FastifyRequest, unknown>();
    fastify.addHook('onError', (request, _reply, error, done) => {
      thrown.set(request, error);
      done();
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      outcomes.record(request.flags, reply.elapsedTime, reply.statusCode, thrown.get(request));
      done();
    });
  }
  // The guard made for each route config, so that the HEAD route Fastify adds for a GET shares its GET's.
  const configGuards = new WeakMap<object, { url: string; guard: FeatureGuard }>();
  const flagsStage = GUARD_HOOKS.indexOf(hookName);

  fastify.addHook('onRoute', (route) => {
    const where = `route ${describeMethod(route.method)} ${route.url}`;
    // The guards of a route this plugin reaches serve its client: the client checks their flag names.
    for (const [stage, name] of GUARD_HOOKS.entries()) {
      for (const hook of hooksOf(route[name])) {
        const guard = guardOf(hook);
        if (guard === undefined) continue;
        if (stage < flagsStage) throw guardTooEarlyError(where, guard.where, name, hookName);
        guard.servedBy(client);
      }
    }
    const config = route.config as { feature?: unknown } | undefined;
    if (config?.feature === undefined) return;
    const shared = configGuards.get(config);
    const guard =
      shared !== undefined && route.method === 'HEAD' && shared.url === route.url
        ? shared.guard
        : guardFromRouteConfig(config.feature, `${describeMethod(route.method)} ${route.url}`);
    configGuards.set(config, { url: route.url, guard });
    guardOf(guard)?.servedBy(client);
    const hooks = hooksOf(route[hookName] as RouteOptions['onRequest']);
    if (hooks.some((hook) => guardOf(hook) !== undefined)) return;
    // A new array: Fastify's automatic HEAD route shares the original one.
    (route as unknown as Record<string, unknown>)[hookName] = [...hooks, guard];
  });

  if (ownsClient) fastify.addHook('onClose', () => client.close());

  try {
    await flagsReadiness(client, {
      ...adapter,
      frameworkTimeoutMs: Number(fastify.initialConfig.pluginTimeout ?? 10_000),
    }).startup();
  } catch (error) {
    if (ownsClient) await client.close();
    throw error;
  }
};

/**
 * The Fastify plugin: `request.flags` on every request in the context it is registered in, `app.featureFlags`
 * (the client), guards from `config: { feature }`, and `reply.locals.flags` for @fastify/view templates.
 * Given options it creates the client (default source: flags.yaml in the working directory) and closes it
 * with the app; given `{ client, ...options }` (or a client) it uses that one. `app.ready()` waits for the flags up to `readyTimeoutMs`,
 * and fails on a misconfiguration such as an invalid flags file (unless `startOnFallbacks` is set).
 * @example
 * await app.register(featureFlags);                                   // flags.yaml in the working directory
 * await app.register(featureFlags, { source: fileSource('config/flags.yaml') });
 * app.get('/beta', { config: { feature: 'beta-page' } }, async () => 'beta');
 * app.get('/pricing', async (request) => (request.flags.newPricing ? 'new' : 'old'));
 */
export const featureFlags: FastifyPluginAsync<FeatureFlagsPluginOptions> = fp(
  // fastify-plugin's types may resolve another copy of fastify; the plugin's own type is the contract.
  plugin as unknown as Parameters<typeof fp>[0],
  { name: '@flagwise/fastify', fastify: '4.x || 5.x' },
) as unknown as FastifyPluginAsync<FeatureFlagsPluginOptions>;

/** The route hooks a guard made by requireFeature or requireVariant may be in, in the order they run. */
const GUARD_HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const;

/** A guard in a route hook that runs before the plugin's: it would find no flags on any request. */
function guardTooEarlyError(
  where: string,
  guard: string,
  stage: (typeof GUARD_HOOKS)[number],
  flagsHook: FlagsHookName,
): ConfigurationError {
  const later = GUARD_HOOKS.slice(GUARD_HOOKS.indexOf(flagsHook)).join(', ');
  // The plugin's hook options are onRequest, preValidation and preHandler: the latest that runs by the guard's.
  const earlyEnough = stage === 'preParsing' ? 'onRequest' : stage;
  return new ConfigurationError(
    `${where}: ${guard} is in ${stage}, which runs before the featureFlags plugin sets request.flags (in ` +
      `${flagsHook}, its hook option): put the guard in ${later}, or register the plugin with { hook: '${earlyEnough}' }`,
  );
}

function hooksOf(hooks: unknown): unknown[] {
  return hooks === undefined || hooks === null ? [] : Array.isArray(hooks) ? hooks : [hooks];
}

function describeMethod(method: RouteOptions['method']): string {
  return Array.isArray(method) ? method.join('|') : String(method);
}
