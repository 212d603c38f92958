// One readiness policy for every adapter. Requests never hang: an app whose flags are late serves fallbacks
// (flags read as off, guarded routes answer 404) and says so once; a misconfiguration (a missing or invalid flags
// file, a refused token) stops the startup where the framework has one to stop (Fastify's register, Nest's
// bootstrap), since waiting will not fix it.
import type { FlagsClient } from '../client/flags-client.js';
import { FlagwiseError } from '../errors.js';

/** How long startup (Fastify, Nest) or the first requests (Express, Koa) wait for the flags by default. */
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

/** The one warning every adapter logs when it goes on without flags. */
export function warnServingWithoutFlags(client: FlagsClient<any>, error: unknown): void {
  client.logger.warn(
    { err: error, status: client.status },
    'flagwise: serving requests with fallbacks until the flags load (flags read as off, guarded routes answer 404): ' +
      (error instanceof Error ? error.message : String(error)),
  );
}

/**
 * For frameworks with a startup to await (Fastify's plugin, Nest's bootstrap): waits up to `timeoutMs`, kept
 * under `frameworkTimeoutMs` (Fastify's pluginTimeout) so the framework's own generic timeout never fires first.
 * A misconfiguration, or any failure with `failOnNotReady`, rejects with a FlagwiseError; otherwise it warns and
 * resolves.
 * @example await startupReadiness(client, { timeoutMs: 5000, frameworkTimeoutMs: app.initialConfig.pluginTimeout });
 */
export async function startupReadiness(
  client: FlagsClient<any>,
  options: { timeoutMs?: number; failOnNotReady?: boolean; frameworkTimeoutMs?: number },
): Promise<void> {
  if (client.isReady) return;
  let timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const limit = options.frameworkTimeoutMs;
  if (limit !== undefined && limit > 0) {
    timeoutMs = Math.min(timeoutMs, Math.max(limit - 1000, Math.floor(limit / 2)));
  }
  if (timeoutMs <= 0 && !options.failOnNotReady) return;
  try {
    await client.ready({ timeoutMs });
  } catch (error) {
    if (isMisconfiguration(error)) throw error;
    if (options.failOnNotReady) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new FlagwiseError(
        'NOT_READY',
        `flagwise: the flags are not ready (failOnNotReady is set): ${reason}`,
        {
          cause: error,
        },
      );
    }
    warnServingWithoutFlags(client, error);
  }
}

/**
 * For frameworks without a startup to await (Express, Koa): a check to call per request, `undefined` once the
 * flags are ready (or the wait is over), otherwise the one promise every early request awaits. It never rejects:
 * after `timeoutMs` (or a failed start) it warns once and opens for good, and requests proceed with fallbacks.
 * @example
 * const waitForFlags = requestReadiness(client, 5000);
 * app.use((req, res, next) => {
 *   const waiting = waitForFlags();
 *   if (waiting === undefined) return attach(req, res, next);
 *   waiting.then(() => attach(req, res, next));
 * });
 */
export function requestReadiness(
  client: FlagsClient<any>,
  timeoutMs = DEFAULT_READY_TIMEOUT_MS,
): () => Promise<void> | undefined {
  let open = false;
  let waiting: Promise<void> | undefined;
  return () => {
    if (open) return undefined;
    if (client.isReady) {
      open = true;
      return undefined;
    }
    waiting ??= client
      .ready({ timeoutMs })
      .catch((error: unknown) => warnServingWithoutFlags(client, error))
      .finally(() => {
        open = true;
      });
    return waiting;
  };
}
