// For the source tests: temporary directories, what a source emitted and serves, and the error a file gives.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { FlagsFileError, FlagwiseError } from '../../packages/core/src/errors.js';
import { silentLogger } from '../../packages/core/src/logger.js';
import { fileSource } from '../../packages/core/src/sources/index.js';
import type {
  ClientFeaturesPayload,
  FlagSource,
  SourceEvent,
  SourceListener,
  SourceStatus,
} from '../../packages/core/src/types.js';

export async function temporaryDirectory(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'flagwise-sources-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface ScratchDirectory<Item> {
  /** the current test's directory */
  readonly dir: string;
  /** what the current test opened in it, closed after the test before the directory is removed */
  readonly open: Item[];
}

/**
 * A new temporary directory for each test of the file: after each test, what it opened is closed with `close`,
 * in order, and then the directory is removed.
 * @example const scratch = directoryPerTest((source: FlagSource) => source.stop()); scratch.open.push(source);
 */
export function directoryPerTest<Item = never>(
  close: (item: Item) => Promise<unknown> = async () => {},
): ScratchDirectory<Item> {
  let dir = '';
  let remove = async () => {};
  const open: Item[] = [];
  beforeEach(async () => {
    ({ dir, remove } = await temporaryDirectory());
  });
  afterEach(async () => {
    for (const item of open.splice(0)) await close(item);
    await remove();
  });
  return {
    get dir() {
      return dir;
    },
    open,
  };
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

/** A source whose start never settles: what a hung network looks like to the client. */
export function hangingSource(): FlagSource {
  return {
    name: 'hanging',
    status: 'starting',
    start: () => new Promise<void>(() => {}),
    stop: async () => {},
    current: () => undefined,
    subscribe: () => () => {},
  };
}

/** A source whose start rejects with a FlagwiseError: what a refused token looks like to the client. */
export function failingSource(message: string): FlagSource {
  return {
    name: 'failing',
    status: 'failed',
    start: async () => {
      throw new FlagwiseError('UNAUTHORIZED', message);
    },
    stop: async () => {},
    current: () => undefined,
    subscribe: () => () => {},
  };
}

/** A source whose flags never load: what a client looks like before its first load. */
export function neverLoadingSource(): FlagSource {
  return {
    name: 'never',
    status: 'starting',
    start: () => new Promise(() => {}),
    stop: async () => {},
    current: () => undefined,
    subscribe: () => () => {},
  };
}

/** A source that loads when the test says so: what a slow or unreachable flag service looks like to the client. */
export interface LateSource extends FlagSource {
  /** serves `definitions`: subscribers hear of them and start() resolves */
  deliver(definitions: ClientFeaturesPayload): void;
  /** start() rejects with `error` */
  fail(error: Error): void;
  /** how often stop() was called */
  readonly stopCount: number;
}

/**
 * A source with no definitions until `deliver()`, or that fails to start on `fail()`; stop() rejects a start()
 * still pending.
 * @example const source = lateSource(); createFlags({ source }); source.deliver(payload([simpleFlag('a', true)]));
 */
export function lateSource(): LateSource {
  const listeners = new Set<SourceListener>();
  let status: SourceStatus = 'starting';
  let loaded: ClientFeaturesPayload | undefined;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let stopped = 0;
  return {
    name: 'late',
    get status() {
      return status;
    },
    start: () =>
      new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      }),
    async stop() {
      stopped++;
      settle?.reject(new Error('stopped'));
    },
    current: () => loaded,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deliver(definitions) {
      loaded = definitions;
      status = 'ready';
      for (const listener of listeners) listener({ type: 'definitions', definitions });
      settle?.resolve();
    },
    fail(error) {
      status = 'failed';
      settle?.reject(error);
    },
    get stopCount() {
      return stopped;
    },
  };
}
