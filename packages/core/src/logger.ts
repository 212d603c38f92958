import type { Logger } from './types.js';

const noop = () => {};

/** A logger that drops everything: what `logger: false` gives. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * A logger that writes one line per message to stderr, from `level` up: the default when no logger is given
 * (level `info`). Messages already start with `flagwise:`; fields that matter (an error's message) follow.
 * @example
 * createFlags({ logger: consoleLogger('warn') })
 */
export function consoleLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'] as const;
  const threshold = order.indexOf(level);
  const write = (lvl: (typeof order)[number]) =>
    order.indexOf(lvl) < threshold
      ? noop
      : (obj: unknown, msg?: string) => {
          const text = typeof obj === 'string' ? obj : (msg ?? '');
          const line = text.startsWith('flagwise:') ? text : `flagwise: ${text}`;
          const cause = errorOf(obj);
          const extra = cause !== undefined && !line.includes(cause) ? ` (${cause})` : '';
          process.stderr.write(`${line}${extra}\n`);
        };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The logger a client uses: the one given, none for `false`, else stderr from `info` up.
 * @example resolveLogger(undefined) // writes to stderr
 */
export function resolveLogger(logger: Logger | false | undefined): Logger {
  if (logger === false) return silentLogger;
  return logger ?? consoleLogger('info');
}

function errorOf(obj: unknown): string | undefined {
  if (obj instanceof Error) return obj.message;
  const err = (obj as { err?: unknown } | null | undefined)?.err;
  return err instanceof Error ? err.message : undefined;
}
