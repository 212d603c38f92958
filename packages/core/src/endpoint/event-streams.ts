// Server-sent events for the pages flagwise keeps live: the dashboard, OFREP's event streams and the Frontend
// API's. One set of open streams per client, under one bound (createFlags({ eventStreams })), with one timer for
// the heartbeats and idle checks of them all; every stream ends when the client closes. Endpoints group their
// streams in channels and send one event down a whole channel at once, formatted once.
import { type EventStreamLimits, eventStreamLimitsOf } from '../client/event-stream-limits.js';
import type { FlagsClient } from '../client/flags-client.js';
import type { EndpointResponse } from './endpoint.js';

/** One server-sent event. Without `data` it only sets the id a reconnecting browser sends as `Last-Event-ID`. */
export interface ServerSentEvent {
  id?: string;
  /** the event's name; browsers call it `message` when it is left out */
  event?: string;
  data?: string;
}

/**
 * An event in the `text/event-stream` format: `id:`, `event:` and one `data:` line per line of data.
 * @example formatEvent({ event: 'version', data: '3' }) // 'event: version\ndata: 3\n\n'
 */
export function formatEvent(event: ServerSentEvent): string {
  let text = '';
  if (event.id !== undefined) text += `id: ${singleLine(event.id)}\n`;
  if (event.event !== undefined) text += `event: ${singleLine(event.event)}\n`;
  if (event.data !== undefined) for (const line of event.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

// An id or a name with a line break would end the field early and start another.
function singleLine(text: string): string {
  return text.replace(/[\r\n\0]/g, '');
}

/** The headers of every stream: no caching or transforming on the way, no buffering in nginx. */
const STREAM_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
  'x-accel-buffering': 'no',
};

const HEARTBEAT = ':\n\n';

interface OpenStream {
  write(chunk: string): void;
  end(): void;
  /** when the last event (not a heartbeat) went down this stream */
  lastEventAt: number;
}

/** Streams written to in one turn of the event loop; a larger channel is written slice by slice. */
const STREAMS_PER_TURN = 256;

/**
 * Streams that hear the same events: one endpoint's streams of one client (all the dashboard's, OFREP's for a
 * set of browser flags). `send()` writes one event down all of them, formatted once. A channel of thousands is
 * written STREAMS_PER_TURN at a time, yielding to the event loop in between, so the app's own requests never
 * wait behind a whole broadcast; every stream still gets its events in order.
 */
export class StreamChannel {
  private readonly streams = new Set<OpenStream>();
  /** broadcasts still being written: the event's text and the streams it has yet to reach */
  private readonly pending: { text: string; targets: OpenStream[]; next: number }[] = [];
  private draining = false;

  /** how many streams are open on this channel */
  get size(): number {
    return this.streams.size;
  }

  /** Sends `event` down every open stream of the channel. */
  send(event: ServerSentEvent): void {
    if (this.streams.size === 0) return;
    this.pending.push({ text: formatEvent(event), targets: [...this.streams], next: 0 });
    if (!this.draining) this.drain();
  }

  private drain(): void {
    this.draining = true;
    let budget = STREAMS_PER_TURN;
    const now = Date.now();
    while (this.pending.length > 0 && budget > 0) {
      const broadcast = this.pending[0];
      const end = Math.min(broadcast.targets.length, broadcast.next + budget);
      for (let i = broadcast.next; i < end; i++) {
        const stream = broadcast.targets[i];
        stream.lastEventAt = now;
        stream.write(broadcast.text);
      }
      budget -= end - broadcast.next;
      broadcast.next = end;
      if (end === broadcast.targets.length) this.pending.shift();
    }
    if (this.pending.length === 0) this.draining = false;
    else setImmediate(() => this.drain());
  }

  /** @internal */
  add(stream: OpenStream): void {
    this.streams.add(stream);
  }

  /** @internal */
  delete(stream: OpenStream): void {
    this.streams.delete(stream);
  }
}

/** What opens one stream: its channel, the headers besides the stream's own, and what it sends first. */
export interface StreamOpening {
  channel: StreamChannel;
  headers?: Record<string, string>;
  /** events sent as the stream opens, after `retry:` (e.g. the id a reconnect sends back, or a catch-up) */
  first?: () => ServerSentEvent[];
}

/** Every open stream of one client, under its `eventStreams` limits. */
export class ClientEventStreams {
  readonly limits: EventStreamLimits;
  private readonly open = new Set<OpenStream>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** set while the bound is reached, so the warning is said once each time it is */
  private atBound = false;

  constructor(private readonly client: FlagsClient) {
    this.limits = eventStreamLimitsOf(client);
    client.once('close', () => this.closeAll());
  }

  /** how many streams are open */
  get size(): number {
    return this.open.size;
  }

  /**
   * The answer that opens a stream on `opening.channel`; 503 with `Retry-After` when the client already has
   * `maxStreams` open or is closed.
   */
  answer(opening: StreamOpening): EndpointResponse {
    if (this.closed) return refusal('the flags client is closed', opening.headers);
    if (this.open.size >= this.limits.maxStreams) return this.full(opening.headers);
    return {
      status: 200,
      headers: { ...opening.headers, ...STREAM_HEADERS },
      stream: (write, end, signal) => {
        // Counted again here: other streams may have opened since the answer was made.
        if (this.closed || this.open.size >= this.limits.maxStreams) {
          end();
          return;
        }
        const stream: OpenStream = { write, end, lastEventAt: Date.now() };
        this.open.add(stream);
        opening.channel.add(stream);
        signal.addEventListener(
          'abort',
          () => {
            this.open.delete(stream);
            opening.channel.delete(stream);
            if (this.open.size === 0) this.stopTimer();
            if (this.open.size < this.limits.maxStreams) this.atBound = false;
          },
          { once: true },
        );
        // `retry:` opens the first event (a field of its own needs no event to count).
        const events = opening.first?.() ?? [];
        const first = events.length > 0 ? formatEvent(events[0]) : '\n';
        write(`retry: ${this.limits.retryMs}\n${first}${events.slice(1).map(formatEvent).join('')}`);
        this.startTimer();
      },
    };
  }

  /** Ends every open stream: the client closed. */
  private closeAll(): void {
    this.closed = true;
    this.stopTimer();
    for (const stream of [...this.open]) stream.end();
  }

  private full(headers: Record<string, string> | undefined): EndpointResponse {
    if (!this.atBound) {
      this.atBound = true;
      this.client.logger.warn(
        { maxStreams: this.limits.maxStreams },
        `flagwise: ${this.limits.maxStreams} event streams are open, the most createFlags({ eventStreams: { maxStreams } }) allows; ` +
          'further pages get 503 and refetch on focus instead until some close',
      );
    }
    return refusal(`${this.limits.maxStreams} event streams are open already`, headers);
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.limits.heartbeatMs);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A heartbeat down every stream, and the end of those idle past `idleTimeoutMs`. */
  private tick(): void {
    const idleSince = Date.now() - this.limits.idleTimeoutMs;
    for (const stream of [...this.open]) {
      if (stream.lastEventAt <= idleSince) stream.end();
      else stream.write(HEARTBEAT);
    }
  }
}

function refusal(reason: string, headers: Record<string, string> | undefined): EndpointResponse {
  return {
    status: 503,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' },
    body: `no event stream: ${reason}`,
  };
}

const streamsByClient = new WeakMap<FlagsClient, ClientEventStreams>();

/**
 * The open streams of `client`, made the first time an endpoint opens one.
 * @example return eventStreamsOf(request.client).answer({ channel, first: () => [{ id: version }] });
 */
export function eventStreamsOf(client: FlagsClient): ClientEventStreams {
  let streams = streamsByClient.get(client);
  if (streams === undefined) {
    streams = new ClientEventStreams(client);
    streamsByClient.set(client, streams);
  }
  return streams;
}
