// What every adapter needs to serve an Endpoint, written once: the body a framework did not parse, the call into
// the endpoint (which never lets an endpoint's error escape), and writing its answer onto a Node response,
// including the streamed (server-sent events) form.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { FlagsClient } from '../client/flags-client.js';
import { settleRequestFlags } from '../request/flags-object.js';
import type { RequestFlags } from '../request/request-flags.js';
import type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
import { normalizeMountPath, splitUrl, urlBelow } from './paths.js';

/** Bodies larger than this are refused with 413 before the endpoint sees them. */
export const ENDPOINT_BODY_LIMIT_BYTES = 1024 * 1024;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Whether a request at `url` (path and query below the mount point, from '/') may be the endpoint's: under its
 * `scope` and, for an endpoint with `serves`, one of its paths. A mount passes the others on before it needs
 * anything of them (flags, the body), so every other route of the app gets its request untouched.
 * @example if (!mayServe(endpoint, req.url)) return next();
 */
export function mayServe(endpoint: Pick<Endpoint<any>, 'scope' | 'serves'>, url: string): boolean {
  if (endpoint.scope !== undefined && urlBelow(url, endpoint.scope) === undefined) return false;
  return endpoint.serves?.(splitUrl(url).path) !== false;
}

/** What an adapter knows of a request to a mounted endpoint. */
export interface MountedRequest<Request> {
  method: string;
  /** path and query below the mount point, starting with '/' */
  url: string;
  /** the path of the mount point as the request reached the app ('' at the root); see EndpointRequest */
  mountPath?: string;
  headers: IncomingHttpHeaders;
  secure: boolean;
  request: Request;
  flags: RequestFlags;
  client: FlagsClient<Request>;
  /** the Node request, read for the body when the framework left it unread */
  raw: IncomingMessage;
  /** the framework's parsed body, when it parsed one */
  parsedBody?: unknown;
}

/**
 * Calls the endpoint with the request and gives back its answer (undefined: not served here; the framework
 * answers as it would without the endpoint). A URL outside the endpoint's scope is not handed to it. The body is
 * read only when the endpoint asks for it: a body over ENDPOINT_BODY_LIMIT_BYTES answers 413, one that something
 * else consumed 400. An endpoint that throws answers 500 and is logged.
 */
export async function serveEndpoint<Request>(
  endpoint: Endpoint<Request>,
  mounted: MountedRequest<Request>,
): Promise<EndpointResponse | undefined> {
  if (!mayServe(endpoint, mounted.url)) return undefined;
  const method = mounted.method.toUpperCase();
  const { path, query } = splitUrl(mounted.url);
  const request: EndpointRequest<Request> = {
    method,
    path,
    mountPath: normalizeMountPath(mounted.mountPath),
    query,
    headers: mounted.headers,
    readBody: bodyReader(method, mounted.raw, mounted.parsedBody),
    secure: mounted.secure,
    request: mounted.request,
    flags: mounted.flags,
    client: mounted.client,
  };
  try {
    // Flags built at their first read: an async context hook or allow() is awaited before the endpoint reads them.
    await settleRequestFlags(mounted.flags);
    return await endpoint.handle(request);
  } catch (error) {
    if (error instanceof EndpointBodyError) return textResponse(error.status, error.message);
    mounted.client.logger.error(
      { err: error, endpoint: endpoint.name, path },
      `flagwise: ${endpoint.name} failed on ${method} ${path}`,
    );
    return textResponse(500, 'internal error');
  }
}

/** A body the endpoint cannot have, with the status its answer gets. */
class EndpointBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `readBody()` of one request: read at most once, and only when asked. */
function bodyReader(method: string, raw: IncomingMessage, parsed: unknown): () => Promise<unknown> {
  if (!BODY_METHODS.has(method)) return () => Promise.resolve(undefined);
  let reading: Promise<unknown> | undefined;
  return () => {
    reading ??= requestBody(raw, parsed);
    return reading;
  };
}

// The framework's parsed body when it read the stream; otherwise the raw text, read here.
async function requestBody(raw: IncomingMessage, parsed: unknown): Promise<unknown> {
  if (raw.readableDidRead || raw.readableEnded) {
    if (parsed !== undefined) return parsed;
    throw new EndpointBodyError(
      400,
      'the request body was read by another part of the app, which kept no parsed body',
    );
  }
  const declared = Number(raw.headers['content-length']);
  if (declared > ENDPOINT_BODY_LIMIT_BYTES) throw new EndpointBodyError(413, 'request body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > ENDPOINT_BODY_LIMIT_BYTES) throw new EndpointBodyError(413, 'request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function textResponse(status: number, text: string): EndpointResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
}

/** Unsent bytes a stream may hold for a browser that stops reading before it is dropped. */
export const STREAM_BUFFER_LIMIT_BYTES = 64 * 1024;

/** Where a running stream's chunks go: a Readable for the framework, or the Node response itself. */
interface StreamSink {
  write(chunk: string): void;
  /** bytes written but not yet taken by the browser (as far as this side can tell) */
  buffered(): number;
  /** the stream ended: no more chunks */
  finish(): void;
  /** the browser stopped reading: drop it */
  drop(): void;
}

/**
 * Runs an endpoint's stream into `sink` until the endpoint ends it, the returned abort is called (the client
 * went away), or `shutdown` ends it (the app closes, or the server of `socket` stops listening).
 */
function runStream(
  stream: NonNullable<EndpointResponse['stream']>,
  sink: StreamSink,
  shutdown: EndpointShutdown | undefined,
  socket: Socket | null | undefined,
): () => void {
  const controller = new AbortController();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    sink.finish();
    controller.abort();
  };
  const untrack = shutdown?.track(end, socket);
  controller.signal.addEventListener('abort', () => untrack?.(), { once: true });
  try {
    stream(
      (chunk) => {
        if (ended) return;
        if (sink.buffered() > STREAM_BUFFER_LIMIT_BYTES) {
          // The browser stopped reading: what it has not taken is dropped with its connection.
          ended = true;
          controller.abort();
          sink.drop();
          return;
        }
        sink.write(chunk);
      },
      end,
      controller.signal,
    );
  } catch {
    end();
  }
  return () => {
    ended = true;
    controller.abort();
  };
}

/**
 * The streamed form of an answer as a Node Readable (Koa's `ctx.body`, Fastify's `reply.send`). It ends when
 * the Readable is destroyed (the client went away), when the endpoint ends it, or through `shutdown` (the app
 * closes, or the server of `socket` stops listening). A browser that stops reading loses its connection once
 * STREAM_BUFFER_LIMIT_BYTES wait for it.
 */
export function endpointStream(
  stream: NonNullable<EndpointResponse['stream']>,
  shutdown?: EndpointShutdown,
  socket?: Socket | null,
): Readable {
  let abort: (() => void) | undefined;
  const readable = new Readable({
    read() {},
    destroy(error, callback) {
      abort?.();
      callback(error);
    },
  });
  abort = runStream(
    stream,
    {
      write: (chunk) => readable.push(chunk),
      buffered: () => readable.readableLength,
      finish: () => readable.push(null),
      drop: () => {
        socket?.destroy();
        readable.destroy();
      },
    },
    shutdown,
    socket,
  );
  return readable;
}

/**
 * Writes an endpoint's answer onto a Node response: status, headers (Set-Cookie added to those already set, so
 * the adapter's own override cookie stays), then the body or the stream (ended through `shutdown`).
 */
export function writeEndpointResponse(
  res: ServerResponse,
  response: EndpointResponse,
  shutdown?: EndpointShutdown,
): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie')
      res.setHeader('set-cookie', addSetCookie(res.getHeader('set-cookie'), value));
    else res.setHeader(name, value);
  }
  if (response.stream === undefined) {
    res.end(response.body);
    return;
  }
  // One connection per stream: when the stream ends (the app closes) the socket goes too, not back to idle.
  res.setHeader('connection', 'close');
  res.flushHeaders();
  // Written straight onto the response: with thousands of pages open, each notice is one write per page.
  const abort = runStream(
    response.stream,
    {
      write: (chunk) => res.write(chunk),
      buffered: () => res.writableLength,
      finish: () => res.end(),
      drop: () => res.destroy(),
    },
    shutdown,
    res.socket,
  );
  res.once('close', abort);
}

/** Set-Cookie values already on a response plus new ones. */
export function addSetCookie(
  existing: string | number | string[] | undefined,
  added: string | string[],
): string[] {
  const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  return [...before, ...(Array.isArray(added) ? added : [added])];
}

/** How often the servers of open streams are checked for `server.close()`. */
const SERVER_CHECK_MS = 200;

interface TrackedStream {
  end(): void;
  server: { readonly listening: boolean } | undefined;
}

/**
 * Open streams of one mount, ended when the app closes: through `close()` (the adapter's shutdown hook: Fastify's
 * preClose, Nest's beforeApplicationShutdown, Koa's `close()`), and on their own once their server stops
 * listening, so a plain `server.close()` finishes while a page holds a stream open.
 */
export class EndpointShutdown {
  private readonly streams = new Set<TrackedStream>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Ends every stream opened so far; later ones open as usual. */
  close(): void {
    for (const stream of [...this.streams]) stream.end();
  }

  /** Keeps `end` until the returned function is called; it is called on close() or when the server closes. */
  track(end: () => void, socket?: Socket | null): () => void {
    const stream: TrackedStream = { end, server: serverOf(socket) };
    this.streams.add(stream);
    if (stream.server !== undefined && this.timer === undefined) {
      // server.close() announces nothing until every connection is gone: its `listening` turns false at once.
      this.timer = setInterval(() => this.endWhereServerClosed(), SERVER_CHECK_MS);
      this.timer.unref?.();
    }
    return () => {
      this.streams.delete(stream);
      if (this.streams.size === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private endWhereServerClosed(): void {
    for (const stream of [...this.streams]) if (stream.server?.listening === false) stream.end();
  }
}

/** The server a request's socket came in on (Node sets `socket.server` on every accepted connection). */
function serverOf(socket: Socket | null | undefined): { readonly listening: boolean } | undefined {
  const server = (socket as (Socket & { server?: unknown }) | null | undefined)?.server;
  return server !== null &&
    typeof server === 'object' &&
    typeof (server as { listening?: unknown }).listening === 'boolean'
    ? (server as { readonly listening: boolean })
    : undefined;
}
