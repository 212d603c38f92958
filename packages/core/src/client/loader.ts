// The reload path: the client's source started, each delivery compiled into a snapshot and swapped in at once,
// the source's status changes logged once each, and `ready()` answered. A failing source keeps the last good
// flags.

import { counted } from '../counted.js';
import type { CompileOptions } from '../engine/index.js';
import { runSteps } from '../engine/steps.js';
import { FlagwiseError } from '../errors.js';
import { withRequestFlagsClass } from '../request/flags-object.js';
import { emptySnapshot, type PreparedLoad, prepareLoad } from '../snapshot/prepare.js';
import { runStepsInSlices } from '../snapshot/slices.js';
import type { FlagsSnapshot } from '../snapshot/snapshot.js';
import type { ClientFeaturesPayload, FlagSource, Logger, SourceEvent, SourceStatus } from '../types.js';
import { asError, type ClientNotices, detailLogger } from './events.js';

/**
 * Reloads of at least this many flags, from a source with `slicedReloads`, are compiled, indexed and diffed in
 * slices across event-loop turns, then swapped in at once; smaller sets, the first load, and every delivery of
 * other sources swap in within the call that delivered them.
 */
const SLICED_LOAD_MIN_FLAGS = 500;
/** CPU time of one slice of a sliced reload: about the longest a request waits for it. */
const LOAD_SLICE_MS = 8;

/** Keeps one client's current snapshot of its source's definitions. */
export class FlagsLoader {
  /** what evaluations read; replaced whole on each load */
  snapshot: FlagsSnapshot;
  private startError: Error | undefined;
  private closed = false;
  private unsubscribe: () => void = () => {};
  /** the source's last status, to log each change once */
  private sourceStatus: SourceStatus;
  /** the last source problem logged, so a source repeating it is not logged again */
  private lastProblem: string | undefined;
  private readonly readyWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  /** a large reload being prepared in slices; newer definitions cancel it */
  private loading: { definitions: ClientFeaturesPayload; cancel: () => void } | undefined;
  /** the source recovered while a sliced reload was pending: say so once its flags are in */
  private recoveryToLog = false;
  /** the first flags of a source that failed at start swapped in, and the recovery was logged */
  private recoveredAtStart = false;

  constructor(
    private readonly source: FlagSource,
    private readonly logger: Logger,
    private readonly notices: ClientNotices,
    private readonly compileOptions: CompileOptions,
    /** the source counts usage (Unleash metrics): snapshots then observe every evaluation */
    private readonly countsUsage: boolean,
  ) {
    this.sourceStatus = source.status;
    this.snapshot = emptySnapshot(compileOptions, countsUsage);
  }

  /** Subscribes to the source, loads what it already has, and starts it. */
  start(): void {
    this.unsubscribe = this.source.subscribe((event) => this.onSourceEvent(event));
    const initial = this.source.current();
    if (initial) this.load(initial);
  }

  /** Starts the source; called once the client's events can be listened to. */
  startSource(): void {
    void Promise.resolve()
      // The client logs the load and each status change itself: a source's own info lines are details.
      .then(() => this.source.start({ logger: detailLogger(this.logger) }))
      .then(() => {
        const current = this.source.current();
        if (
          current &&
          current !== this.snapshot.compiled.definitions &&
          current !== this.loading?.definitions
        )
          this.load(current);
      })
      .catch((error: unknown) => {
        this.startError = asError(error);
        this.lastProblem = this.startError.message;
        this.logger.error(
          { err: this.startError },
          `flagwise: ${this.source.name} failed to start: ${this.startError.message}`,
        );
        this.notices.error(this.startError);
        for (const waiter of this.readyWaiters) waiter.reject(this.startError);
        this.readyWaiters.clear();
      });
  }

  /** true once close() was called */
  get isClosed(): boolean {
    return this.closed;
  }

  get status(): SourceStatus {
    if (!this.snapshot.ready) return this.startError ? 'failed' : 'starting';
    return this.source.status;
  }

  /** Resolves once definitions have loaded; rejects when the source failed, the client closed or time ran out. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.snapshot.ready) return Promise.resolve();
    if (this.closed) return Promise.reject(new FlagwiseError('CLOSED', 'the flags client is closed'));
    if (this.startError) return Promise.reject(this.startError);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(waiter);
        reject(
          new FlagwiseError(
            'READY_TIMEOUT',
            `flags from ${this.source.name} were not ready after ${timeoutMs} ms (status: ${this.status}); ` +
              'check that the source is reachable, or raise ready({ timeoutMs })',
          ),
        );
      }, timeoutMs);
      timer.unref?.();
      this.readyWaiters.add(waiter);
    });
  }

  /** Stops listening and loading, rejects every ready() still waiting, and stops the source. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.loading?.cancel();
    this.loading = undefined;
    const closedError = new FlagwiseError('CLOSED', 'the flags client was closed before it was ready');
    for (const waiter of this.readyWaiters) waiter.reject(closedError);
    this.readyWaiters.clear();
    // Not awaiting a start that may never settle (a hung network): sources accept stop() during start.
    await this.source.stop();
  }

  private onSourceEvent(event: SourceEvent): void {
    switch (event.type) {
      case 'definitions':
        this.load(event.definitions);
        break;
      case 'error':
        this.reportProblem(event.error);
        this.notices.error(event.error);
        break;
      case 'warn':
        this.notices.warn(event.message);
        break;
      case 'status':
        this.onSourceStatus(event.status, event.reason);
        break;
    }
  }

  /** Logs a source's error unless it is the one logged last: a source that keeps failing alike says it once. */
  private reportProblem(error: Error): void {
    if (error.message === this.lastProblem) return;
    this.lastProblem = error.message;
    this.logger.error({ err: error, source: this.source.name }, `flagwise: ${error.message}`);
  }

  /** Logs each status change once: ready → stale (or failed), and the recovery. */
  private onSourceStatus(status: SourceStatus, reason: string | undefined): void {
    const previous = this.sourceStatus;
    this.sourceStatus = status;
    if (status === previous || this.closed) return;
    if (status === 'stale' || (status === 'failed' && this.snapshot.ready)) {
      // The reason is usually the error just logged; say it again only when it is new.
      const known = this.lastProblem !== undefined && reason?.startsWith(this.lastProblem) === true;
      const news = reason !== undefined && !known;
      this.logger.warn(
        { source: this.source.name, status, reason },
        `flagwise: ${this.source.name} ${status === 'failed' ? 'has failed' : 'is stale'}, serving the last good flags${news ? `: ${reason}` : ''}`,
      );
      if (news) this.lastProblem = reason;
      return;
    }
    // A start that failed was reported recovered when its first flags swapped in, just before.
    const reportedRecovery = this.recoveredAtStart;
    this.recoveredAtStart = false;
    if (status === 'ready' && previous === 'failed' && reportedRecovery) return;
    if (status === 'ready' && (previous === 'stale' || previous === 'failed') && this.snapshot.ready) {
      this.lastProblem = undefined;
      // The count is of the flags served: those of a reload still in slices once it swaps in.
      if (this.loading) this.recoveryToLog = true;
      else this.logRecovery();
    }
  }

  private logRecovery(): void {
    this.logger.info(
      { source: this.source.name, flags: this.snapshot.compiled.names().length },
      `flagwise: ${this.source.name} recovered: ${counted(this.snapshot.compiled.names().length, 'flag')} loaded`,
    );
  }

  /**
   * Compiles definitions into a snapshot and swaps it in at once: an evaluation sees the old flags or the new ones,
   * never a mix. A large reload from a source with `slicedReloads` is prepared in slices so requests are served
   * meanwhile; definitions delivered during it replace it (the last delivered win).
   */
  private load(definitions: ClientFeaturesPayload): void {
    if (this.closed) return;
    this.loading?.cancel();
    this.loading = undefined;
    const previous = this.snapshot;
    // Compile warnings wait for the swap, so a reload that is replaced before it swaps in says nothing.
    const { onWarn, releaseWarnings } = heldWarnings(this.notices);
    // The request flags class too: no request after the swap waits for its accessors.
    const steps = withRequestFlagsClass(
      prepareLoad(definitions, previous, { ...this.compileOptions, onWarn }, this.countsUsage),
    );
    const count = Array.isArray(definitions?.features) ? definitions.features.length : 0;
    if (!previous.ready || count < SLICED_LOAD_MIN_FLAGS || this.source.slicedReloads !== true) {
      let prepared: PreparedLoad;
      try {
        prepared = runSteps(steps);
      } catch (error) {
        // compileFlags reports broken flags instead of throwing; this guards the last good flags regardless.
        this.loadFailed(error);
        return;
      }
      this.swapIn(prepared, previous, releaseWarnings);
      return;
    }
    const finish = (swap: () => void) => {
      if (this.loading === loading) this.loading = undefined;
      try {
        swap();
      } catch (error) {
        // No source is there to catch a listener's throw on this turn: it must not crash the process.
        this.logger.error(
          { err: asError(error), source: this.source.name },
          'flagwise: a listener of the flags client threw during a reload',
        );
      }
    };
    const loading = {
      definitions,
      cancel: runStepsInSlices(steps, LOAD_SLICE_MS, {
        done: (prepared) => finish(() => this.swapIn(prepared, previous, releaseWarnings)),
        failed: (error) => finish(() => this.loadFailed(error)),
      }),
    };
    this.loading = loading;
  }

  private swapIn(prepared: PreparedLoad, previous: FlagsSnapshot, releaseWarnings: () => void): void {
    const { compiled, snapshot: next, change } = prepared;
    releaseWarnings();
    for (const error of compiled.errors) {
      this.logger.error({ flag: error.flag, field: error.field }, `flagwise: ${error.message}`);
      this.notices.error(error);
    }
    for (const clash of next.clashes) {
      this.notices.warn(
        `flags ${clash.flags.map((f) => `"${f}"`).join(' and ')} share the property name "${clash.property}"; ` +
          `req.flags.${clash.property} reads "${next.aliases.get(clash.property)?.name}" (use isEnabled(name) for the other)`,
      );
    }
    this.snapshot = next;
    const failedAtStart = this.startError !== undefined;
    this.startError = undefined;
    if (!previous.ready) {
      // A source that failed at start and delivers later has recovered, as one that failed later does.
      if (failedAtStart) {
        this.lastProblem = undefined;
        this.recoveredAtStart = true;
        this.logRecovery();
      } else {
        this.logger.info(
          { source: this.source.name, flags: compiled.names().length },
          `flagwise: ${counted(compiled.names().length, 'flag')} loaded from ${this.source.name}`,
        );
      }
      for (const waiter of this.readyWaiters) waiter.resolve();
      this.readyWaiters.clear();
      this.notices.emit('ready');
      return;
    }
    this.logger.debug(
      { source: this.source.name, flags: compiled.names().length },
      `flagwise: ${counted(compiled.names().length, 'flag')} reloaded from ${this.source.name}`,
    );
    if (this.recoveryToLog) {
      this.recoveryToLog = false;
      this.logRecovery();
    }
    if (change && (change.added.length || change.removed.length || change.changed.length)) {
      this.notices.emit('changed', change);
    }
  }

  private loadFailed(error: unknown): void {
    this.notices.error(asError(error));
    if (this.recoveryToLog) {
      this.recoveryToLog = false;
      this.logRecovery();
    }
  }
}

/**
 * Compile warnings held until the load that raised them swaps in. Made outside the load so that the compiled
 * snapshot, which keeps `onWarn`, does not keep the load's scope, and with it the snapshot before it, and so on:
 * every earlier set of flags would stay in memory.
 */
function heldWarnings(notices: ClientNotices): { onWarn(message: string): void; releaseWarnings(): void } {
  let held: string[] | undefined = [];
  return {
    onWarn: (message) => {
      if (held) held.push(message);
      else notices.warn(message);
    },
    releaseWarnings: () => {
      const released = held ?? [];
      held = undefined;
      for (const message of released) {
        try {
          notices.warn(message);
        } catch {
          // a throwing listener must not stop the swap, as it does not stop compilation
        }
      }
    },
  };
}
