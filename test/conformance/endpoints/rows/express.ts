// The endpoint table's Express rows: Express 4 and 5, each endpoint under `app.use(prefix, mountEndpoint(...))`.
import { featureFlags, getFlags, mountEndpoint } from '@flagwise/express';
import { listen, majors } from '../../rows/express.js';
import type { EndpointRow } from '../contract.js';
import { flagAnswer, CONTEXT_HEADERS as H, streamDigest } from '../contract.js';

export const rows: EndpointRow[] = Object.entries(majors).map(([name, express]) => ({
  name,
  start: (client, endpoint, prefix, more = []) => {
    const app = express();
    app.use(
      featureFlags(client, {
        context: (req) => ({ userId: req.get(H.userId), properties: { plan: req.get(H.plan) } }),
      }),
    );
    for (const mount of [{ endpoint, prefix }, ...more])
      app.use(mount.prefix || '/', mountEndpoint(mount.endpoint));
    app.get('/flag/:name', (req, res) => {
      res.json(flagAnswer(getFlags(req), req.params.name));
    });
    // express.json() is a property of both majors' default export.
    const json = (express as unknown as { json(): import('express').RequestHandler }).json();
    app.post('/app/json', json, (req, res) => {
      res.json({ body: req.body ?? null });
    });
    app.post('/app/raw', async (req, res, next) => {
      try {
        res.json(await streamDigest(req));
      } catch (error) {
        next(error);
      }
    });
    return listen(app);
  },
}));
