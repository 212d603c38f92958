import type { Logger } from './types.js';

const noop = () => {};

/** A logger that drops everything: the default, so flagwise never writes to the console on its own. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * A logger that writes warnings and errors to stderr; handy in examples.
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
          const extra = typeof obj === 'string' || obj === undefined ? '' : ` ${safeJson(obj)}`;
          process.stderr.write(`[flagwise] ${lvl}: ${text}${extra}\n`);
        };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
