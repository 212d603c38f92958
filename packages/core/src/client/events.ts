// What a client tells the app: its events (`ready`, `changed`, `impression`, `error`, `warn`) and its log lines,
// through one logger. Events raised while the client is being made wait until callers could attach listeners.
import type { EventEmitter } from 'node:events';
import type { FlagsChange } from '../snapshot/definitions-diff.js';
import type { FlagContext, Logger } from '../types.js';

/** Unleash's impression event. */
export interface ImpressionEvent {
  eventType: 'isEnabled' | 'getVariant';
  eventId: string;
  context: FlagContext;
  enabled: boolean;
  featureName: string;
  variant?: string;
}

export interface FlagsEvents {
  ready: [];
  changed: [FlagsChange];
  impression: [ImpressionEvent];
  error: [Error];
  warn: [string];
  /** `close()` was called: the source stops, and open event streams end */
  close: [];
}

/** Warnings said once per key are bounded: names come from requests, and requests must not grow memory. */
const MAX_WARNED_KEYS = 1000;

/** One client's events and warnings. */
export class ClientNotices {
  private readonly warnedKeys = new Set<string>();
  /** events raised while the client is being made, delivered once callers could attach listeners */
  private deferred: (() => void)[] | undefined = [];

  constructor(
    private readonly emitter: EventEmitter<FlagsEvents>,
    private readonly logger: Logger,
    private readonly sourceName: string,
  ) {}

  /** Delivers the events held while the client was being made, on the next microtask; later ones go at once. */
  startDelivering(): void {
    const held = this.deferred ?? [];
    this.deferred = undefined;
    if (held.length)
      queueMicrotask(() => {
        for (const deliver of held) deliver();
      });
  }

  /** Logs a warning and emits it as a `warn` event. */
  warn(message: string): void {
    this.logger.warn({ source: this.sourceName }, `flagwise: ${message}`);
    this.deliver(() => this.emitter.emit('warn', message));
  }

  /** `warn()`, once per key (a flag name read on requests: at most MAX_WARNED_KEYS of them). */
  warnOnce(key: string, message: string): void {
    if (this.warnedKeys.has(key) || this.warnedKeys.size >= MAX_WARNED_KEYS) return;
    this.warnedKeys.add(key);
    this.warn(message);
  }

  /** Emits an `error` event when someone listens (EventEmitter throws on one without listeners). */
  error(error: Error): void {
    this.deliver(() => {
      if (this.emitter.listenerCount('error') > 0) this.emitter.emit('error', error);
    });
  }

  /** Emits an event now, or once the client is made. */
  emit<Event extends 'ready' | 'changed'>(event: Event, ...args: FlagsEvents[Event]): void {
    this.deliver(() => (this.emitter.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args));
  }

  private deliver(emit: () => void): void {
    if (this.deferred) this.deferred.push(emit);
    else emit();
  }
}

/** The logger's own methods (a pino logger's live on its prototype), with info lines demoted to debug. */
export function detailLogger(logger: Logger): Logger {
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.debug(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
