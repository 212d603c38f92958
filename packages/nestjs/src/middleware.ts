// Gives every HTTP request its flags as it comes in, before Nest routes it: an Express middleware on the Express
// platform, an `onRequest` hook on Fastify (where Nest middleware would see only the raw Node request). Their
// context is built at the first read, after the guards that run before it, so `req.user` set by an auth guard is
// in it. Registered while the module configures, so they run before every route and every Nest middleware.
import type { HttpAdapterHost } from '@nestjs/core';
import type { NestRequestFlags } from './platform-request.js';

/** What the module needs of a Fastify instance (Nest's `httpAdapter.getInstance()`). */
interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: (request: object, reply: object, done: () => void) => void): unknown;
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, value: null): unknown;
}

/** Attaches each request's flags on the app's platform. */
export function attachToEveryRequest(
  httpAdapter: HttpAdapterHost['httpAdapter'] | undefined,
  requestFlags: NestRequestFlags,
): void {
  // An application context without HTTP (a standalone app, a microservice) has no requests to attach to.
  if (httpAdapter === undefined) return;
  // Filled by attachLater and read right after, synchronously: one object serves every request.
  const prepared: { waiting: Promise<void> | undefined } = { waiting: undefined };
  if (httpAdapter.getType() === 'fastify') {
    const fastify = httpAdapter.getInstance<FastifyInstanceLike>();
    // Declared up front, so every request keeps one shape.
    if (!fastify.hasRequestDecorator('flags')) fastify.decorateRequest('flags', null);
    fastify.addHook('onRequest', (request, reply, done) => {
      requestFlags.attachLater(request, reply, prepared);
      const waiting = prepared.waiting;
      if (waiting === undefined) done();
      else waiting.then(() => done());
    });
    return;
  }
  httpAdapter.use((request: object, response: object, next: () => void) => {
    requestFlags.attachLater(request, response, prepared);
    const waiting = prepared.waiting;
    if (waiting === undefined) next();
    else waiting.then(() => next());
  });
}
