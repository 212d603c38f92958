// What every adapter needs to serve an Endpoint, written once: the body a framework did not parse, the call into
// the endpoint (which never lets an endpoint's error escape), and writing its answer onto a Node response,
// including the streamed (server-sent events) form.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FlagsClient } from '../client/flags-client.js';
import type { RequestFlags } from '../request/request-flags.js';
import type { Endpoint, EndpointRequest, EndpointResponse } from './endpoint.js';
import { endpointServes, splitUrl } from './paths.js';

/** Bodies larger than this are refused with 413 before the endpoint sees them. */
export const ENDPOINT_BODY_LIMIT_BYTES = 1024 * 1024;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** What an adapter knows of a request to a mounted endpoint. */
export interface MountedRequest<Request> {
  method: string;
  /** path and query below the mount point, starting with '/' */
  url: string;
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
  if (!endpointServes(endpoint, mounted.url)) return undefined;
  const method = mounted.method.toUpperCase();
  const { path, query } = splitUrl(mounted.url);
  const request: EndpointRequest<Request> = {
    method,
    path,
    query,
    headers: mounted.headers,
    readBody: bodyReader(method, mounted.raw, mounted.parsedBody),
    secure: mounted.secure,
    request: mounted.request,
    flags: mounted.flags,
    client: mounted.client,
  };
  try {
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

/**
 * The streamed form of an answer as a Node Readable (Koa's `ctx.body`, Fastify's `reply.send`). Destroying the
 * Readable (the client went away) or aborting `shutdown` (the app closes) aborts the endpoint's signal and ends it.
 */
export function endpointStream(
  stream: NonNullable<EndpointResponse['stream']>,
  shutdown?: AbortSignal,
): Readable {
  const controller = new AbortController();
  let ended = false;
  const readable = new Readable({
    read() {},
    destroy(error, callback) {
      ended = true;
      controller.abort();
      callback(error);
    },
  });
  const end = () => {
    if (ended) return;
    ended = true;
    readable.push(null);
    controller.abort();
  };
  if (shutdown?.aborted) end();
  else shutdown?.addEventListener('abort', end, { once: true });
  controller.signal.addEventListener('abort', () => shutdown?.removeEventListener('abort', end), {
    once: true,
  });
  if (!ended) {
    try {
      stream(
        (chunk) => {
          if (!ended) readable.push(chunk);
        },
        end,
        controller.signal,
      );
    } catch {
      end();
    }
  }
  return readable;
}

/**
 * Writes an endpoint's answer onto a Node response: status, headers (Set-Cookie added to those already set, so
 * the adapter's own override cookie stays), then the body or the stream.
 */
export function writeEndpointResponse(
  res: ServerResponse,
  response: EndpointResponse,
  shutdown?: AbortSignal,
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
  const readable = endpointStream(response.stream, shutdown);
  res.once('close', () => readable.destroy());
  readable.pipe(res);
}

/** Set-Cookie values already on a response plus new ones. */
export function addSetCookie(
  existing: string | number | string[] | undefined,
  added: string | string[],
): string[] {
  const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  return [...before, ...(Array.isArray(added) ? added : [added])];
}

/**
 * Open streams of one mount, so the mount can end them when the app closes (an open server-sent events
 * response would otherwise hold the server open).
 */
export class EndpointShutdown {
  private controller = new AbortController();
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  /** ends every stream opened so far */
  close(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }
}
