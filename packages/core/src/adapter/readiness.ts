// One startup policy for every adapter. An app whose flags cannot load because of a misconfiguration (an invalid
// or missing flags file, a refused token) refuses to start, since waiting will not fix it: Fastify's register and
// Nest's bootstrap reject, and Express and Koa, which have no startup of their own, reject the middleware's
// `ready()` that the app awaits before it listens (and fail each request with that error while the flags are
// missing). With `startOnFallbacks` such an app starts anyway and serves fallbacks until the flags load. Flags that
// are only late never hold the app: after `readyTimeoutMs` it serves fallbacks and says so once, unless
// `failOnNotReady` asks for a refusal.
import type { FlagsClient } from '../client/flags-client.js';
import { FlagwiseError } from '../errors.js';

/** How long startup (or the first requests of an app that did not await it) waits for the flags by default. */
export const DEFAULT_READY_TIMEOUT_MS = 5000;

/** Error codes that waiting does not fix. */
const MISCONFIGURATION_CODES: ReadonlySet<string> = new Set([
  'MISCONFIGURED',
  'INVALID_FLAGS_FILE',
  'FLAGS_FILE_NOT_FOUND',
  'INVALID_DEFINITION',
  'UNAUTHORIZED',
]);

/** True for an error that waiting does not fix. */
export function isMisconfiguration(error: unknown): boolean {
  return error instanceof FlagwiseError && MISCONFIGURATION_CODES.has(error.code);
}

/** The adapter options that decide how an app starts (see AdapterOptions), and the framework's own limit. */
export interface StartupOptions {
  readyTimeoutMs?: number;
  failOnNotReady?: boolean;
  startOnFallbacks?: boolean;
  /** the framework's own startup timeout (Fastify's pluginTimeout): the wait ends before it would fire */
  frameworkTimeoutMs?: number;
}

/** One adapter's wait for its client's first flags, shared by its startup and its requests. */
export interface FlagsReadiness {
  /**
   * Waits for the first flags (once; later calls share the wait). Resolves when they loaded, or when the app goes
   * on with fallbacks (warned once); rejects with the reason when the app must not start.
   */
  startup(): Promise<void>;
  /**
   * For each request of an adapter without a startup of its own: `undefined` when the request may go on now,
   * otherwise a promise that resolves when it may, or rejects with the error the request fails with (the startup
   * was refused and the flags are still missing). Requests go on as soon as the flags load.
   */
  request(): Promise<void> | undefined;
}

/**
 * The startup policy for one adapter's client.
 * @example
 * // Fastify, Nest: the framework's startup awaits it
 * await flagsReadiness(client, { ...options, frameworkTimeoutMs: app.initialConfig.pluginTimeout }).startup();
 * @example
 * // Express, Koa: `middleware.ready()` is startup(); each request checks
 * const readiness = flagsReadiness(client, options);
 * const waiting = readiness.request();
 * if (waiting === undefined) attach(req, res, next);
 * else waiting.then(() => attach(req, res, next), next);
 */
export function flagsReadiness(client: FlagsClient<any>, options: StartupOptions): FlagsReadiness {
  return new Readiness(client, options);
}

class Readiness implements FlagsReadiness {
  private waiting: Promise<void> | undefined;
  /** requests go on: the flags loaded, or the app serves fallbacks */
  private open = false;
  /** why the startup was refused, while the flags are still missing */
  private refusal: Error | undefined;

  constructor(
    private readonly client: FlagsClient<any>,
    private readonly options: StartupOptions,
  ) {}

  startup(): Promise<void> {
    this.waiting ??= this.wait();
    return this.waiting;
  }

  request(): Promise<void> | undefined {
    if (this.open) return undefined;
    if (this.client.isReady) {
      this.open = true;
      return undefined;
    }
    if (this.refusal !== undefined) return Promise.reject(this.refusal);
    return this.startup();
  }

  private async wait(): Promise<void> {
    const { client, options } = this;
    if (client.isReady) {
      this.open = true;
      return;
    }
    let timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const limit = options.frameworkTimeoutMs;
    if (limit !== undefined && limit > 0) {
      timeoutMs = Math.min(timeoutMs, Math.max(limit - 1000, Math.floor(limit / 2)));
    }
    if (timeoutMs <= 0 && !options.failOnNotReady) {
      this.open = true;
      return;
    }
    try {
      await client.ready({ timeoutMs });
      this.open = true;
    } catch (error) {
      const refusal = this.refusalFor(error);
      if (refusal !== undefined) {
        this.refusal = refusal;
        throw refusal;
      }
      this.open = true;
      client.logger.warn(
        { err: error, status: client.status },
        'flagwise: serving requests with fallbacks until the flags load (flags read as off, guarded routes answer 404): ' +
          (error instanceof Error ? error.message : String(error)),
      );
    }
  }

  /** The error the startup is refused with, or undefined to go on with fallbacks. */
  private refusalFor(error: unknown): Error | undefined {
    if (isMisconfiguration(error)) return this.options.startOnFallbacks ? undefined : (error as Error);
    if (!this.options.failOnNotReady) return undefined;
    const reason = error instanceof Error ? error.message : String(error);
    return new FlagwiseError(
      'NOT_READY',
      `flagwise: the flags are not ready (failOnNotReady is set): ${reason}`,
      {
        cause: error,
      },
    );
  }
}
