// Shared by the source tests: temporary directories, a logger that keeps what it was told, deadline polling.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FlagsFileError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { fileSource } from '../../src/sources/index.js';
import type { FlagSource, Logger, SourceEvent } from '../../src/types.js';

export async function temporaryDirectory(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'flagwise-sources-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

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

/** Polls `read` until it gives a truthy value, failing after `deadlineMs`. */
export async function waitFor<T>(
  read: () => T | undefined | null | false,
  what: string,
  deadlineMs = 1000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every event a source emits, in order. */
export function recordEvents(source: FlagSource): SourceEvent[] {
  const events: SourceEvent[] = [];
  source.subscribe((event) => events.push(event));
  return events;
}

/** `name:enabled` for each flag, the quickest readable summary of what a source serves. */
export function summary(source: FlagSource): string[] {
  return (source.current()?.features ?? []).map((feature) => `${feature.name}:${feature.enabled}`);
}

/** Writes `text` to `dir/name` and starts a fileSource on it; resolves the error start() rejected with. */
export async function fileStartError(dir: string, name: string, text: string): Promise<unknown> {
  const path = join(dir, name);
  await writeFile(path, text);
  const source = fileSource(path, { watch: false });
  const failure = await source.start({ logger: silentLogger }).then(
    () => undefined,
    (error: unknown) => error,
  );
  await source.stop();
  return failure;
}

/** `fileStartError`, asserted to be the FlagsFileError that says where the file is wrong. */
export async function fileStartFlagsError(dir: string, name: string, text: string): Promise<FlagsFileError> {
  const failure = await fileStartError(dir, name, text);
  expect(failure).toBeInstanceOf(FlagsFileError);
  return failure as FlagsFileError;
}
