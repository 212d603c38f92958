// For adapters whose framework has no startup hook to await (Express, Koa): requests that arrive before the
// flags load wait for them, all behind one shared wait, and never hang.
import type { FlagsClient } from '../client.js';

/**
 * Returns a check to call per request: `undefined` once the flags are ready (or the wait is over), otherwise
 * the one promise every early request awaits. It never rejects: after `timeoutMs` it warns once through the
 * client's logger and opens for good, and requests proceed with fallbacks.
 * @example
 * const waitForFlags = readyGate(client, 5000);
 * app.use((req, res, next) => {
 *   const waiting = waitForFlags();
 *   if (waiting === undefined) return attach(req, res, next);
 *   waiting.then(() => attach(req, res, next));
 * });
 */
export function readyGate(client: FlagsClient<any>, timeoutMs = 5000): () => Promise<void> | undefined {
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
      .catch((error: unknown) => {
        client.logger.warn(
          { err: error, status: client.status },
          'flagwise: serving requests without flags (they read as off, the fallback, until they load): ' +
            (error instanceof Error ? error.message : String(error)),
        );
      })
      .finally(() => {
        open = true;
      });
    return waiting;
  };
}
