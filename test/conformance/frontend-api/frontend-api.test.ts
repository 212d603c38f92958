// The frontend API table, over every row.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { frontendApiEndpoint } from '@flagwise/core/adapter';
import { describeFrontendApi, FRONTEND_PATH, type FrontendApiRow } from './scenarios.js';

const nodeHttp: FrontendApiRow = {
  name: 'node:http',
  async start(client, options) {
    const endpoint = frontendApiEndpoint<IncomingMessage>(options);
    const server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body = '';
      for await (const chunk of req) body += chunk;
      const { flags } = await client.forRequest(
        req,
        {
          user: { id: req.headers['x-user-id'] },
          cookieHeader: req.headers.cookie,
        },
        (r) => ({ properties: { plan: r.headers['x-plan'] as string } }),
      );
      if (url.pathname.startsWith('/flag/')) {
        const name = url.pathname.slice('/flag/'.length);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ enabled: flags.isEnabled(name), variant: flags.variant(name) }));
        return;
      }
      if (url.pathname === FRONTEND_PATH || url.pathname.startsWith(`${FRONTEND_PATH}/`)) {
        const answer = await endpoint.handle({
          method: req.method ?? 'GET',
          path: url.pathname.slice(FRONTEND_PATH.length) || '/',
          query: url.searchParams,
          headers: req.headers,
          body: req.method === 'GET' ? undefined : body,
          secure: false,
          request: req,
          flags,
          client,
        });
        if (answer) {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
          return;
        }
      }
      res.statusCode = 404;
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};

describeFrontendApi(nodeHttp);
