// A real logger that keeps its lines, for the cross-package suites that read what flagwise reported.
import type { Logger } from '@flagwise/core';

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** A logger that keeps every line it is given, with its level. */
export function recordingLogger(): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const record = (level: LoggedLine['level']) => (obj: unknown, msg?: string) =>
    void lines.push({ level, message: typeof obj === 'string' ? obj : String(msg ?? '') });
  return {
    lines,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  };
}

/** The messages logged at one level. */
export function messagesAt(lines: readonly LoggedLine[], level: LoggedLine['level']): string[] {
  return lines.filter((line) => line.level === level).map((line) => line.message);
}
