// Mounting a flagwise endpoint in Nest: a module of its own with one controller at the endpoint's path, on the
// Express and the Fastify platform. The dashboard, OFREP and the Frontend API are modules over it; the request's
// flags come from FeatureFlagsModule (import it too), built exactly as `@Flags()` gets them.
import { ConfigurationError, type FlagsClient } from '@flagwise/core';
import type { Endpoint, EndpointResponse } from '@flagwise/core/adapter';
import {
  describeArgument,
  EndpointShutdown,
  endpointStream,
  flagsMissingError,
  mountPathOf,
  normalizePrefix,
  serveEndpoint,
  settleRequestFlags,
  urlFromWildcard,
  writeEndpointResponse,
} from '@flagwise/core/adapter';
import {
  All,
  type BeforeApplicationShutdown,
  Controller,
  type DynamicModule,
  Inject,
  Module,
  type NestModule,
  NotFoundException,
  Optional,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { HttpAdapterHost } from '@nestjs/core';
import { flagsOfRequest } from './platform-request.js';
import { FEATURE_FLAGS_CLIENT } from './tokens.js';

/** Where `FlagsEndpointModule.forRoot()` serves an endpoint. */
export interface FlagsEndpointOptions {
  /** the path the endpoint answers below, e.g. '_flags' (under the app's global prefix, if it has one) */
  path: string;
  endpoint: Endpoint;
}

const ENDPOINT_CONTROLLER = Symbol('flagwise:nestjs:endpoint-controller');

// Nest 11 on Express routes with path-to-regexp 8, which wants a named wildcard and warns about `*` (its
// Express adapter is the one with normalizePath); Nest 10 and Fastify's router take `*`.
function wildcardFor(adapter: { getType(): string; normalizePath?: unknown }): string {
  return adapter.getType() === 'express' && typeof adapter.normalizePath === 'function' ? '*path' : '*';
}

interface PlatformRequest {
  url: string;
  originalUrl?: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | string[] | undefined>;
  body?: unknown;
  secure?: boolean;
  protocol?: string;
  /** Fastify: the Node request */
  raw?: import('node:http').IncomingMessage;
}

interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: unknown): FastifyReplyLike;
  send(payload?: unknown): unknown;
}

/**
 * The controller serving `endpoint` below `path`. For an endpoint with a scope (the path every route of it is
 * under, e.g. OFREP's `/ofrep/v1`), it takes only requests below `path` + `scope`, so an endpoint
 * at the app's root leaves the app's other routes alone; the endpoint still sees its URLs in full.
 */
function endpointController(path: string, endpoint: Endpoint): Type {
  const scope = normalizePrefix(endpoint.scope ?? '');
  @Controller(`${path}${scope}`)
  class FlagsEndpointController implements BeforeApplicationShutdown {
    private readonly shutdown = new EndpointShutdown();
    private readonly platform: string;

    constructor(
      @Optional() @Inject(FEATURE_FLAGS_CLIENT) private readonly client: FlagsClient | undefined,
      @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
    ) {
      if (client === undefined) {
        throw flagsMissingError(
          endpoint.name,
          'import FeatureFlagsModule.forRoot(...) in the app module next to the module that mounts it',
        );
      }
      this.platform = adapterHost.httpAdapter?.getType() ?? 'express';
    }

    @All()
    root(@Req() request: PlatformRequest, @Res() response: unknown): Promise<unknown> {
      return this.serve(request, response, '/');
    }

    @All('*')
    below(@Req() request: PlatformRequest, @Res() response: unknown): Promise<unknown> {
      const params = request.params ?? {};
      const rest = params['*'] ?? params.path ?? params['0'];
      const fullUrl = request.originalUrl ?? request.url;
      return this.serve(request, response, urlFromWildcard(fullUrl, rest));
    }

    private async serve(request: PlatformRequest, response: unknown, below: string): Promise<unknown> {
      const fullUrl = request.originalUrl ?? request.url;
      const query = fullUrl.indexOf('?');
      const inScope = withScope(scope, below);
      const url = query < 0 || inScope.includes('?') ? inScope : `${inScope}${fullUrl.slice(query)}`;
      const flags = flagsOfRequest(request);
      const client = this.client!;
      if (flags === undefined) {
        throw flagsMissingError(endpoint.name, 'FeatureFlagsModule gave this request no flags');
      }
      // Built (an async context hook awaited) before the endpoint writes its headers, beside the flags' cookies.
      await settleRequestFlags(flags);
      const fastify = this.platform === 'fastify';
      const answer = await serveEndpoint(endpoint, {
        method: request.method,
        url,
        mountPath: mountPathOf(fullUrl, url),
        headers: request.headers,
        secure: fastify ? request.protocol === 'https' : request.secure === true,
        request,
        flags,
        client,
        raw: (fastify ? request.raw : request) as import('node:http').IncomingMessage,
        parsedBody: request.body,
      });
      if (answer === undefined) throw new NotFoundException();
      if (fastify) {
        return sendWithFastify(response as FastifyReplyLike, answer, this.shutdown, request.raw?.socket);
      }
      writeEndpointResponse(response as import('node:http').ServerResponse, answer, this.shutdown);
      return undefined;
    }

    /** Ends open streams, which would otherwise hold the server open. */
    beforeApplicationShutdown(): void {
      this.shutdown.close();
    }
  }
  return FlagsEndpointController;
}

/** The URL below the controller's path (`/`, `/?x=1`, `/key`) as the endpoint sees it: under its scope. */
function withScope(scope: string, below: string): string {
  if (scope === '') return below;
  return below === '/' || below.startsWith('/?') ? `${scope}${below.slice(1)}` : `${scope}${below}`;
}

function sendWithFastify(
  reply: FastifyReplyLike,
  answer: EndpointResponse,
  shutdown: EndpointShutdown,
  socket: import('node:net').Socket | undefined,
): unknown {
  reply.code(answer.status);
  // reply.header adds Set-Cookie values to those already set.
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  if (answer.stream !== undefined) {
    // One connection per stream: when the stream ends (the app closes) the socket goes too, not back to idle.
    reply.header('connection', 'close');
    return reply.send(endpointStream(answer.stream, shutdown, socket));
  }
  const { body } = answer;
  return reply.send(body === undefined ? '' : typeof body === 'string' ? body : Buffer.from(body));
}

let mounts = 0;

/**
 * Serves a flagwise endpoint at a path of the app, on Express and Fastify, with each request's flags from
 * FeatureFlagsModule (import that too). The dashboard, OFREP and the Frontend API have modules of their own
 * (`FlagsDashboardModule`, `FlagsOfrepModule`, `FlagsFrontendApiModule`); this one mounts any other endpoint.
 * @example
 * @Module({
 *   imports: [
 *     FeatureFlagsModule.forRoot({ source: fileSource('flags.yaml') }),
 *     FlagsEndpointModule.forRoot({ path: 'flags-status', endpoint: statusEndpoint }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
export class FlagsEndpointModule implements NestModule {
  constructor(
    @Inject(ENDPOINT_CONTROLLER) private readonly controller: Type,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * A module serving `endpoint` below `path`.
   * @example
   * FlagsEndpointModule.forRoot({ path: 'flags-status', endpoint: statusEndpoint })
   */
  static forRoot(options: FlagsEndpointOptions): DynamicModule {
    if (typeof options?.endpoint?.handle !== 'function') {
      throw new ConfigurationError(
        'FlagsEndpointModule.forRoot({ path, endpoint }): endpoint must be a flagwise endpoint, ' +
          "e.g. { path: '_flags', endpoint: createDashboard({ allow }) }",
      );
    }
    if (typeof options.path !== 'string') {
      throw new ConfigurationError(
        `FlagsEndpointModule.forRoot({ path, endpoint }): path must be the path it answers below, e.g. '_flags'; got ${describeArgument(options.path)}`,
      );
    }
    return endpointModule(options.path, options.endpoint);
  }

  /** Picks the wildcard the platform's router understands; Nest reads route paths after configure(). */
  configure(): void {
    const adapter = this.adapterHost?.httpAdapter as unknown as Parameters<typeof wildcardFor>[0] | undefined;
    if (adapter === undefined || adapter === null) return;
    Reflect.defineMetadata(PATH_METADATA, wildcardFor(adapter), this.controller.prototype.below);
  }
}

/** FlagsEndpointModule serving `endpoint` below `path`, taking only requests under the endpoint's scope. */
export function endpointModule(path: string, endpoint: Endpoint): DynamicModule {
  const controller = endpointController(normalizePrefix(path), endpoint);
  return {
    module: FlagsEndpointModule,
    controllers: [controller],
    // The id keeps two mounts apart: Nest would take two registrations that look alike for one module.
    providers: [
      { provide: ENDPOINT_CONTROLLER, useValue: controller },
      { provide: `flagwise:endpoint:${++mounts}`, useValue: mounts },
    ],
  };
}
