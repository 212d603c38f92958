// The shape of the HTTP endpoints flagwise serves inside an app (the flags dashboard, Unleash's Frontend API,
// OFREP): framework-free request → response functions in core. An adapter mounts one the framework's own way
// (an Express Router, a Fastify plugin with a prefix, a Koa middleware with a prefix, a Nest module option),
// hands it the request as below, and writes back what it answers.
import type { IncomingHttpHeaders } from 'node:http';
import type { FlagsClient } from '../client/flags-client.js';
import type { RequestFlags } from '../request/request-flags.js';

/** One request to an endpoint, as the adapter that mounts it hands it over. */
export interface EndpointRequest<Request = unknown> {
  /** upper-case HTTP method */
  method: string;
  /** the path below the mount point, starting with '/' ('/' for the mount point itself), without the query */
  path: string;
  /**
   * The path of the mount point itself, as the app received the request ('' at the root, e.g. '/features'):
   * what an endpoint puts before `path` to name one of its own URLs to the browser.
   */
  mountPath?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /**
   * Reads the body of a POST/PUT/PATCH: the framework's parsed body when it already parsed one, else the raw
   * text ('' when there is none); undefined for other methods. Call it only once the request is known to be the
   * endpoint's own: nothing reads the body before, so every other route of the app gets it untouched. A body
   * over the endpoints' size limit, or one another middleware consumed without parsing it, rejects, and the
   * mount answers 413 or 400.
   */
  readBody(): Promise<unknown>;
  /** the request came over TLS, as the framework's proxy setting reads it */
  secure: boolean;
  /** the framework's own request (Express req, Fastify request, Koa ctx, Nest platform request), for app hooks */
  request: Request;
  /** this request's flags, built exactly as `req.flags` is: the app's context hook and QA overrides included */
  flags: RequestFlags;
  /** the client that built `flags` */
  client: FlagsClient<Request>;
}

/** What an endpoint answers. */
export interface EndpointResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** the whole body; leave it out for a stream or an empty answer */
  body?: string | Uint8Array;
  /**
   * A streamed body (server-sent events) instead of `body`: called once with a writer. The adapter ends the
   * response when `signal` aborts (the client went away or the app closes) or when `end()` is called.
   */
  stream?: (write: (chunk: string) => void, end: () => void, signal: AbortSignal) => void;
}

/**
 * An endpoint mounted below a path. It answers `undefined` for a request it does not serve, and the framework
 * then answers as it would without it (its own 404), so an endpoint that refuses a visitor looks absent.
 */
export interface Endpoint<Request = unknown> {
  /** the name users call it by, for messages: `flagsDashboard()` */
  readonly name: string;
  /**
   * The path below the mount point that every route of the endpoint is under (OFREP: `/ofrep/v1`); default:
   * everything below the mount point. Routers (Fastify, Nest) route only it, so an endpoint mounted at the app's
   * root leaves the app's other paths to the app.
   */
  readonly scope?: string;
  /**
   * Whether a request at `path` (below the mount point, without the query) may be this endpoint's, for an
   * endpoint whose routes share no scope (the Frontend API's); without it, every path in its scope may be.
   * Mounts ask `mayServe()`, which checks both, and leave the requests it rules out alone: no body read, no
   * flags needed.
   */
  serves?(path: string): boolean;
  handle(
    request: EndpointRequest<Request>,
  ): EndpointResponse | undefined | Promise<EndpointResponse | undefined>;
}
