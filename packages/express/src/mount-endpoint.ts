// Mounting a flagwise endpoint (the dashboard, the Frontend API, OFREP) in Express: a router-style middleware,
// mounted with `app.use(path, ...)`, after featureFlags() so the request already has its flags.
import type { Endpoint } from '@flagwise/core/adapter';
import {
  clientOf,
  EndpointShutdown,
  flagsMissingError,
  mayServe,
  serveEndpoint,
  writeEndpointResponse,
} from '@flagwise/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { flagsOf } from './get-flags.js';

/**
 * Serves `endpoint` below the path the app mounts it at, with each request's own flags (from `featureFlags()`,
 * which must run first). Requests the endpoint does not answer go on to the app's next handlers (its 404).
 * Its event streams end on `server.close()` and on the client's `close()`.
 * @example
 * app.use(featureFlags());
 * app.use('/_flags', mountEndpoint(createDashboard({ allow: (req) => req.ip === '127.0.0.1' })));
 */
export function mountEndpoint(endpoint: Endpoint<Request>): RequestHandler {
  const shutdown = new EndpointShutdown();
  return (req: Request, res: Response, next: NextFunction) => {
    // Express strips the mount path from req.url. What is not the endpoint's goes on untouched, body and all.
    if (!mayServe(endpoint, req.url)) {
      next();
      return;
    }
    const flags = flagsOf(req);
    const client = clientOf<Request>(flags);
    if (flags === undefined || client === undefined) {
      next(
        flagsMissingError(
          endpoint.name,
          `add \`app.use(featureFlags())\` before \`app.use('${req.baseUrl || '/'}', ${endpoint.name})\``,
        ),
      );
      return;
    }
    serveEndpoint(endpoint, {
      method: req.method,
      url: req.url,
      mountPath: req.baseUrl,
      headers: req.headers,
      secure: req.secure,
      request: req,
      flags,
      client,
      raw: req,
      parsedBody: req.body,
    }).then(
      (response) => (response === undefined ? next() : writeEndpointResponse(res, response, shutdown)),
      next,
    );
  };
}
