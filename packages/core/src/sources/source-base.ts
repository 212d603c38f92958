// What every source shares: listeners, status, the last good definitions. Subclasses only load.
import { silentLogger } from '../logger.js';
import type {
  ClientFeaturesPayload,
  FlagSource,
  Logger,
  SourceEvent,
  SourceListener,
  SourceStartContext,
  SourceStatus,
} from '../types.js';

export abstract class BaseSource implements FlagSource {
  abstract readonly name: string;
  protected logger: Logger = silentLogger;
  private currentStatus: SourceStatus = 'starting';
  private definitions: ClientFeaturesPayload | undefined;
  private readonly listeners = new Set<SourceListener>();

  get status(): SourceStatus {
    return this.currentStatus;
  }

  abstract start(context: SourceStartContext): Promise<void>;
  abstract stop(): Promise<void>;

  current(): ClientFeaturesPayload | undefined {
    return this.definitions;
  }

  subscribe(listener: SourceListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stores new definitions and tells listeners synchronously, so the next read sees them. */
  protected publish(definitions: ClientFeaturesPayload): void {
    this.definitions = definitions;
    this.emit({ type: 'definitions', definitions });
  }

  /** Stores definitions without an event: for sources whose first definitions exist before start(). */
  protected setInitial(definitions: ClientFeaturesPayload): void {
    this.definitions = definitions;
  }

  protected setStatus(status: SourceStatus, reason?: string): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit(reason === undefined ? { type: 'status', status } : { type: 'status', status, reason });
  }

  protected emitError(error: Error): void {
    this.emit({ type: 'error', error });
  }

  protected emitWarning(message: string): void {
    this.emit({ type: 'warn', message });
  }

  private emit(event: SourceEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not stop the source or the other listeners.
        this.logger.error(
          { err: error, source: this.name },
          `flagwise: a ${event.type} listener of ${this.name} threw`,
        );
      }
    }
  }
}
