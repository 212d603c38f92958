// A page's event stream read over HTTP as a browser's EventSource reads it: the response's status and headers,
// then each event (id, name, data) as it arrives, and whether the server ended the stream.
import { type IncomingHttpHeaders, request } from 'node:http';

export interface ReadEvent {
  id?: string;
  event: string;
  data: string;
}

export interface OpenedStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** every event so far, in order (comments and bare fields such as `retry:` are not events) */
  events: ReadEvent[];
  /** the last `id:` the server sent, as a browser sends it back in `Last-Event-ID` */
  lastEventId: string | undefined;
  /** every `refetchEvaluation` so far */
  refetches(): ReadEvent[];
  /** calls `listener` with each event from now on, as a page's `onmessage` */
  onEvent(listener: (event: ReadEvent) => void): void;
  /** resolves when the server ends the stream (or the connection goes) */
  ended: Promise<void>;
  /** the browser goes away */
  close(): void;
}

/** Opens `url` as an event stream, resolving once the response's headers are in. */
export function openEventStream(url: string, headers: Record<string, string> = {}): Promise<OpenedStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buffer = '';
      let ended!: () => void;
      const listeners: ((event: ReadEvent) => void)[] = [];
      const opened: OpenedStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        lastEventId: undefined,
        refetches: () =>
          opened.events.filter((event) => {
            try {
              return JSON.parse(event.data).type === 'refetchEvaluation';
            } catch {
              return false;
            }
          }),
        ended: new Promise<void>((resolveEnded) => {
          ended = resolveEnded;
        }),
        onEvent: (listener) => listeners.push(listener),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = { event: 'message', data: [] as string[], id: undefined as string | undefined };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const at = line.indexOf(':');
            const name = at < 0 ? line : line.slice(0, at);
            const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
            if (name === 'data') fields.data.push(value);
            else if (name === 'event') fields.event = value;
            else if (name === 'id') fields.id = value;
          }
          if (fields.id !== undefined) opened.lastEventId = fields.id;
          if (fields.data.length > 0) {
            const event = { id: fields.id, event: fields.event, data: fields.data.join('\n') };
            opened.events.push(event);
            for (const listener of listeners) listener(event);
          }
        }
      });
      res.on('end', ended);
      res.on('close', ended);
      resolve(opened);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with `promise`, or rejects when it has not settled within `ms`: a bound on a wait, not a sleep. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}
