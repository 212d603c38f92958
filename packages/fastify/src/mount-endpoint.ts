// Mounting a flagwise endpoint (the dashboard, the Frontend API, OFREP) in Fastify: an encapsulated plugin (no
// fastify-plugin wrapper, so `prefix` applies and its body parser stays inside), registered after featureFlags.
import type { Endpoint } from '@flagwise/core/adapter';
import {
  clientOf,
  EndpointShutdown,
  endpointStream,
  flagsMissingError,
  normalizePrefix,
  serveEndpoint,
  urlBelow,
} from '@flagwise/core/adapter';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * A plugin serving `endpoint` below the prefix it is registered with, with each request's own flags (the
 * featureFlags plugin must be registered first, in this context or a parent). Requests the endpoint does not
 * answer get Fastify's own 404.
 * @example
 * await app.register(featureFlags);
 * await app.register(mountEndpoint(createDashboard({ allow: (request) => request.ip === '127.0.0.1' })), { prefix: '/_flags' });
 */
export function mountEndpoint(endpoint: Endpoint<FastifyRequest>): FastifyPluginAsync {
  return async function flagwiseEndpoint(fastify: FastifyInstance) {
    if (!fastify.hasRequestDecorator('flags')) {
      throw flagsMissingError(
        endpoint.name,
        `register featureFlags first: \`await app.register(featureFlags)\`, then \`app.register(${endpoint.name}, { prefix })\``,
      );
    }
    const prefix = fastify.prefix;
    const shutdown = new EndpointShutdown();
    // Open streams would hold app.close() until their clients leave.
    fastify.addHook('preClose', (done) => {
      shutdown.close();
      done();
    });
    // Bodies of any type reach the endpoint as text; Fastify's own JSON parser still parses JSON.
    if (!fastify.hasContentTypeParser('*')) {
      fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    }

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const flags = request.flags ?? undefined;
      const client = clientOf<FastifyRequest>(flags);
      if (flags === undefined || client === undefined) {
        throw flagsMissingError(endpoint.name, 'the featureFlags plugin did not run for this request');
      }
      const response = await serveEndpoint(endpoint, {
        method: request.method,
        url: urlBelow(request.url, prefix) ?? '/',
        mountPath: prefix,
        headers: request.headers,
        secure: request.protocol === 'https',
        request,
        flags,
        client,
        raw: request.raw,
        parsedBody: request.body,
      });
      if (response === undefined) return reply.callNotFound();
      reply.code(response.status);
      // reply.header adds Set-Cookie values to those already set.
      for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
      if (response.stream !== undefined) {
        // One connection per stream: when the stream ends (the app closes) the socket goes too, not back to idle.
        reply.header('connection', 'close');
        return reply.send(endpointStream(response.stream, shutdown, request.raw.socket));
      }
      const { body } = response;
      return reply.send(body === undefined ? '' : typeof body === 'string' ? body : Buffer.from(body));
    };
    // Routes under the endpoint's scope only (OFREP's /ofrep/v1): at the app's root, every other path stays the app's.
    const scope = normalizePrefix(endpoint.scope ?? '');
    if (scope === '') fastify.route({ method: METHODS, url: '/', handler });
    fastify.route({ method: METHODS, url: `${scope}/*`, handler });
  };
}
