// A real logger that keeps its lines, so a test can read what flagwise reported.
import type { Logger } from '../../packages/core/src/types.js';

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: unknown;
}

/** A real logger that keeps its lines, so a test can read what the source reported. */
export function recordingLogger(): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (fields: unknown, message?: string): void => {
      lines.push(
        typeof fields === 'string'
          ? { level, message: fields, fields: undefined }
          : { level, message: message ?? '', fields },
      );
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** The messages logged at one level. */
export function messagesAt(lines: readonly LoggedLine[], level: LoggedLine['level']): string[] {
  return lines.filter((line) => line.level === level).map((line) => line.message);
}
