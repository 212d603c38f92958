// Flags from a file on disk, reloaded when it changes. The embedded default source.
import { type FSWatcher, watch } from 'node:fs';
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigurationError, FlagsFileError, FlagwiseError } from '../errors.js';
import { parseFlagsFileOffThread } from '../flags-file/parse-off-thread.js';
import type { FlagSource, SourceStartContext } from '../types.js';
import { BaseSource } from './source-base.js';

const DEFAULT_DEBOUNCE_MS = 100;
/** Re-reads of a file that is invalid or missing after a change, in case the writer is not done yet. */
const MAX_SETTLE_ATTEMPTS = 3;
/** How often a directory that is gone (deleted, an unmounted volume) is looked for again. */
const MISSING_DIRECTORY_POLL_MS = 250;
/** Symlinks followed from the flags file to the file they finally name. */
const MAX_LINK_HOPS = 16;

/** One watched directory: what it is (device and inode, so a re-created one is told apart) and the names that matter in it. */
interface DirectoryWatch {
  watcher: FSWatcher;
  identity: string;
  names: Set<string>;
}

/**
 * Options of fileSource().
 * @example
 * fileSource('flags.yaml', { watch: process.env.NODE_ENV !== 'production', debounceMs: 50 });
 */
export interface FileSourceOptions {
  /** reload when the file changes (default true); the watcher never keeps the process alive */
  watch?: boolean;
  /** wait this long after the last change before reading (default 100 ms); editors write in bursts */
  debounceMs?: number;
  /** for an Unleash export with several environments: which one to serve */
  environment?: string;
}

/**
 * Flags from a file: the flagwise flags file (YAML or JSON), Unleash client features JSON, or an Unleash
 * export. Reloads on change, also after an editor's rename-and-replace save. After startup, an invalid write
 * keeps the last good flags, emits `error` (a FlagsFileError with the line) and sets status `stale`. A file that
 * is invalid or missing at startup fails `start()` (status `failed`) and is watched all the same: its first
 * valid content loads, and the status is `ready` from then on.
 * @example
 * const flags = createFlags({ source: fileSource('config/flags.yaml') });
 */
export function fileSource(path: string, options: FileSourceOptions = {}): FlagSource {
  if (typeof path !== 'string' || path === '') {
    throw new ConfigurationError(
      `fileSource(path): path must be the path of a flags file, e.g. fileSource('flags.yaml'); got ${String(path)}`,
    );
  }
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  if (typeof debounceMs !== 'number' || !Number.isFinite(debounceMs) || debounceMs < 0) {
    throw new ConfigurationError(
      `fileSource('${path}', { debounceMs }): debounceMs must be a number of milliseconds ≥ 0, e.g. 100; got ${String(debounceMs)}`,
    );
  }
  return new FileSource(path, { watch: options.watch ?? true, debounceMs, environment: options.environment });
}

class FileSource extends BaseSource {
  readonly name: string;
  /** a reload follows a write after a debounce anyway: a large one may be compiled between requests */
  readonly slicedReloads = true;
  private readonly absolutePath: string;
  private started: Promise<void> | undefined;
  private stopped = false;
  /** directory → its watch: the file's own directory and, for a symlink, its target's */
  private readonly watches = new Map<string, DirectoryWatch>();
  private missingDirectoryTimer: NodeJS.Timeout | undefined;
  private watchProblemReported = false;
  private watchesUpdated: Promise<void> = Promise.resolve();
  private debounceTimer: NodeJS.Timeout | undefined;
  private settleTimer: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private reloading = false;
  private reloadAgain = false;
  /** stops a parse still running in its child process when the source stops */
  private readonly parsing = new AbortController();
  /** the text behind the current definitions, and the last text reported as broken */
  private goodText: string | undefined;
  private reportedText: string | undefined;

  constructor(
    private readonly displayPath: string,
    private readonly options: { watch: boolean; debounceMs: number; environment?: string },
  ) {
    super();
    this.absolutePath = resolve(displayPath);
    this.name = `file:${this.absolutePath}`;
  }

  start(context: SourceStartContext): Promise<void> {
    this.started ??= this.load(context);
    return this.started;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.watches.values()) entry.watcher.close();
    this.watches.clear();
    clearInterval(this.missingDirectoryTimer);
    this.missingDirectoryTimer = undefined;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = undefined;
    this.settleTimer?.wake();
    this.parsing.abort();
  }

  private async load(context: SourceStartContext): Promise<void> {
    this.logger = context.logger;
    let text: string | undefined;
    let parsed: Awaited<ReturnType<typeof parseFlagsFileOffThread>>;
    try {
      text = await this.read();
      parsed = await parseFlagsFileOffThread(
        text,
        this.displayPath,
        { environment: this.options.environment },
        this.parsing.signal,
      );
    } catch (error) {
      if (this.stopped) return;
      const failure = asFlagwiseError(error);
      this.setStatus('failed', failure.message);
      this.watchAfterFailedStart(text);
      throw failure;
    }
    if (this.stopped) return;
    this.goodText = text;
    this.publish(parsed.definitions);
    for (const warning of parsed.warnings) this.emitWarning(`${this.displayPath}: ${warning}`);
    // The client logs the load (with this source's name, which holds the path): one line per load.
    this.setStatus('ready');
    if (!this.options.watch) return;
    try {
      await this.refreshWatches();
      // A save between the first read and the watch would go unseen; one more read closes that gap
      // (and costs nothing when the content is unchanged).
      this.scheduleReload();
    } catch (error) {
      // The flags loaded; only live reloading is lost, so this is a warning rather than a failed start.
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.emitWarning(
        `${this.displayPath}: cannot watch for changes (${code}); the flags loaded once and will not reload. ` +
          (code === 'ENOSPC'
            ? 'Raise fs.inotify.max_user_watches, or pass fileSource(path, { watch: false }) to silence this'
            : 'Pass fileSource(path, { watch: false }) to silence this'),
      );
    }
  }

  /**
   * A file that is invalid or missing at start is watched as one that broke later: the start's error is the
   * report of its content, and the first valid write loads (status `failed` until then, as there is nothing to
   * serve meanwhile).
   */
  private watchAfterFailedStart(text: string | undefined): void {
    if (!this.options.watch || this.stopped) return;
    this.reportedText = text;
    void this.refreshWatches()
      // A save between the failed read and the watch would go unseen; one more read closes that gap.
      .then(() => this.scheduleReload())
      .catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        this.emitWarning(`${this.displayPath}: cannot watch for changes (${code}); fix the file and restart`);
      });
  }

  /**
   * Watches the directories the file lives in: its own (an editor's rename-and-replace save swaps the file's
   * inode, which a watch on the file itself stops seeing) and, when the path is a symlink, the directory of the
   * file it finally names, so edits there are seen and a swapped link is followed. A directory that was deleted
   * and made again is a new inode: its watch is renewed. A missing one is looked for every 250 ms until it is back.
   * Throws only when a watch cannot be set up for another reason (e.g. ENOSPC). Runs one at a time.
   */
  private refreshWatches(): Promise<void> {
    const run = this.watchesUpdated.then(() => this.updateWatches());
    this.watchesUpdated = run.catch(() => undefined);
    return run;
  }

  private async updateWatches(): Promise<void> {
    if (this.stopped || !this.options.watch) return;
    const wanted = new Map<string, Set<string>>();
    const want = (path: string) => {
      const directory = dirname(path);
      const names = wanted.get(directory) ?? new Set<string>();
      names.add(basename(path));
      wanted.set(directory, names);
    };
    want(this.absolutePath);
    want(await finalLinkTarget(this.absolutePath));

    let missing = false;
    for (const [directory, names] of wanted) {
      const identity = await directoryIdentity(directory);
      const current = this.watches.get(directory);
      if (current && current.identity === identity) {
        current.names = names;
        continue;
      }
      current?.watcher.close();
      this.watches.delete(directory);
      if (identity === undefined) {
        missing = true;
        continue;
      }
      this.watches.set(directory, { watcher: this.watchDirectory(directory), identity, names });
    }
    for (const [directory, entry] of this.watches) {
      if (wanted.has(directory)) continue;
      entry.watcher.close();
      this.watches.delete(directory);
    }
    if (missing) this.pollForMissingDirectory();
    else {
      clearInterval(this.missingDirectoryTimer);
      this.missingDirectoryTimer = undefined;
    }
  }

  private watchDirectory(directory: string): FSWatcher {
    // Not persistent: a watcher alone never keeps the process alive.
    const watcher = watch(directory, { persistent: false }, (_event, changed) => {
      const names = this.watches.get(directory)?.names;
      // `..data` is how Kubernetes swaps a mounted ConfigMap; a null name means "something changed"; the
      // directory's own name means it was itself moved or deleted.
      if (
        changed === null ||
        names?.has(String(changed)) ||
        String(changed).startsWith('..') ||
        String(changed) === basename(directory)
      )
        this.scheduleReload();
    });
    watcher.on('error', (error) => {
      if (this.stopped) return;
      watcher.close();
      if (this.watches.get(directory)?.watcher === watcher) this.watches.delete(directory);
      if (!this.watchProblemReported) {
        this.watchProblemReported = true;
        this.emitWarning(
          `${this.displayPath}: watching ${directory} stopped (${error.message}); watching again when it is back`,
        );
      }
      this.pollForMissingDirectory();
    });
    return watcher;
  }

  private pollForMissingDirectory(): void {
    if (this.missingDirectoryTimer !== undefined || this.stopped) return;
    this.missingDirectoryTimer = setInterval(() => {
      void this.refreshWatches()
        .then(() => {
          if (this.missingDirectoryTimer === undefined && !this.stopped) this.scheduleReload();
        })
        .catch(() => undefined);
    }, MISSING_DIRECTORY_POLL_MS);
    this.missingDirectoryTimer.unref();
  }

  private scheduleReload(): void {
    if (this.stopped) return;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.reload(), this.options.debounceMs);
    this.debounceTimer.unref();
  }

  private async reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = true;
    try {
      // a swapped symlink or a re-created directory needs new watches before the read
      await this.refreshWatches().catch(() => undefined);
      await this.reloadSettled();
    } catch (error) {
      // reloadSettled reports problems as events; anything else is a bug that must not crash the app.
      if (!this.stopped) this.emitError(asFlagwiseError(error));
    } finally {
      this.reloading = false;
      if (this.reloadAgain && !this.stopped) {
        this.reloadAgain = false;
        this.scheduleReload();
      }
    }
  }

  /** Reads until the file is valid or stays the same for one debounce interval, then reports once. */
  private async reloadSettled(): Promise<void> {
    let previousText: string | undefined;
    for (let attempt = 1; attempt <= MAX_SETTLE_ATTEMPTS; attempt++) {
      let text: string;
      try {
        text = await this.read();
      } catch (error) {
        if (this.stopped) return;
        if (attempt < MAX_SETTLE_ATTEMPTS) {
          await this.settle();
          continue;
        }
        this.reportInvalid(asFlagwiseError(error), undefined);
        return;
      }
      if (this.stopped) return;
      if (text === this.goodText) {
        // Written back to the last good content: nothing changed for evaluations.
        this.reportedText = undefined;
        this.setStatus('ready');
        return;
      }
      if (text === this.reportedText) return; // the same broken content, already reported
      try {
        const parsed = await parseFlagsFileOffThread(
          text,
          this.displayPath,
          { environment: this.options.environment },
          this.parsing.signal,
        );
        if (this.stopped) return;
        this.goodText = text;
        this.reportedText = undefined;
        this.publish(parsed.definitions);
        for (const warning of parsed.warnings) this.emitWarning(`${this.displayPath}: ${warning}`);
        this.setStatus('ready');
        return;
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof FlagwiseError && error.code === 'SOURCE_FAILED') {
          // The parse process ended before it was done (killed, out of memory): the file may well be good. Said
          // now, and tried again on the next change, whatever the content.
          this.reportInvalid(error, undefined);
          return;
        }
        // A writer may be half-way through: report only what stays broken for a debounce interval.
        if (attempt < MAX_SETTLE_ATTEMPTS && text !== previousText) {
          previousText = text;
          await this.settle();
          if (this.stopped) return;
          continue;
        }
        this.reportInvalid(asFlagwiseError(error), text);
        return;
      }
    }
  }

  private reportInvalid(error: FlagwiseError, text: string | undefined): void {
    if (this.stopped) return;
    if (text !== undefined && text === this.reportedText) return;
    this.reportedText = text;
    this.emitError(error);
    // Failed at start, there are no last good flags to serve: still failed.
    if (this.goodText === undefined) this.setStatus('failed', error.message);
    else this.setStatus('stale', `${error.message} (serving the last good flags)`);
  }

  private settle(): Promise<void> {
    return new Promise((wake) => {
      const timer = setTimeout(() => {
        this.settleTimer = undefined;
        wake();
      }, this.options.debounceMs);
      timer.unref();
      this.settleTimer = {
        timer,
        wake: () => {
          clearTimeout(timer);
          this.settleTimer = undefined;
          wake();
        },
      };
    });
  }

  private async read(): Promise<string> {
    try {
      return await readFile(this.absolutePath, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new FlagsFileError(
          'FLAGS_FILE_NOT_FOUND',
          this.displayPath,
          `no such file (looked at ${this.absolutePath}); create it, e.g. "flags:\\n  dark-mode: true", ` +
            'or pass the right path to fileSource()',
          { cause: error },
        );
      }
      throw new FlagsFileError(
        'INVALID_FLAGS_FILE',
        this.displayPath,
        `cannot read the file (${code ?? (error as Error).message}); check that it is a readable file`,
        { cause: error },
      );
    }
  }
}

/** The file a chain of symlinks finally names, whether or not it exists. */
async function finalLinkTarget(path: string): Promise<string> {
  let current = path;
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    try {
      if (!(await lstat(current)).isSymbolicLink()) return current;
      current = resolve(dirname(current), await readlink(current));
    } catch {
      return current;
    }
  }
  return current;
}

/** `device:inode` of a directory (following symlinks), or undefined when it is not there. */
async function directoryIdentity(directory: string): Promise<string | undefined> {
  try {
    const info = await stat(directory);
    return info.isDirectory() ? `${info.dev}:${info.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function asFlagwiseError(error: unknown): FlagwiseError {
  if (error instanceof FlagwiseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FlagwiseError('SOURCE_FAILED', `flags file: ${message}`, { cause: error });
}
