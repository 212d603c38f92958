// What the dashboard remembers of a client since it first saw it: the last 100 definition changes with their
// field-level diffs, the source's status with its last error, and a version that moves on every change (and on
// every refused QA override), which the page's live stream announces.
import type { FlagsClient } from '../client/flags-client.js';
import { StreamChannel } from '../endpoint/event-streams.js';
import { requestPathOf } from '../request/request-path.js';
import type { FieldChange, FlagsChange } from '../snapshot/definitions-diff.js';
import type { SourceEvent, SourceStatus } from '../types.js';

export const RECENT_CHANGES = 100;

/** One flag's change as the recent-changes list shows it. */
export interface RecentChange {
  /** ISO time the app saw the change */
  at: string;
  flag: string;
  kind: 'added' | 'removed' | 'changed';
  changes: FieldChange[];
}

export interface SourceState {
  name: string;
  status: SourceStatus;
  /** ISO time of the last definitions the dashboard saw load (or when it started watching) */
  updatedAt: string;
  /** the last error while the source is stale or failed (a flags file's names its file:line:col) */
  lastError?: string;
}

type Listener = () => void;

export class ClientHistory {
  readonly changes: RecentChange[] = [];
  version = 0;
  /** the dashboard pages' live streams: each hears `version` on every change */
  readonly channel = new StreamChannel();
  private updatedAt = new Date().toISOString();
  private lastError: string | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly client: FlagsClient) {
    client.on('changed', (change: FlagsChange) => this.record(change));
    client.on('ready', () => this.touch());
    client.on('error', (error: Error) => {
      this.lastError = error.message;
      this.bump();
    });
    requestPathOf(client)?.watchOverrideRefusals(() => this.bump());
    client.source.subscribe((event: SourceEvent) => {
      if (event.type === 'status') {
        if (event.status === 'ready') this.lastError = undefined;
        else if (event.reason) this.lastError = event.reason;
        this.bump();
      } else if (event.type === 'error') {
        this.lastError = event.error.message;
        this.bump();
      }
    });
  }

  source(): SourceState {
    const status = this.client.status;
    const state: SourceState = { name: this.client.source.name, status, updatedAt: this.updatedAt };
    if (status !== 'ready' && this.lastError !== undefined) state.lastError = this.lastError;
    return state;
  }

  /** Calls `listener` on every change of definitions or status; returns the unsubscribe. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(change: FlagsChange): void {
    const at = new Date().toISOString();
    for (const flag of change.flags) this.changes.unshift({ at, ...flag });
    if (this.changes.length > RECENT_CHANGES) this.changes.length = RECENT_CHANGES;
    this.touch();
  }

  private touch(): void {
    this.updatedAt = new Date().toISOString();
    this.bump();
  }

  private bump(): void {
    this.version++;
    this.channel.send({ event: 'version', data: String(this.version) });
    for (const listener of this.listeners) listener();
  }
}

const histories = new WeakMap<FlagsClient, ClientHistory>();

/** The history of `client`, started the first time any dashboard asks. */
export function historyOf(client: FlagsClient): ClientHistory {
  let history = histories.get(client);
  if (history === undefined) {
    history = new ClientHistory(client);
    histories.set(client, history);
  }
  return history;
}
