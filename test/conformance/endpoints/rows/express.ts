// The endpoint table's Express rows: Express 4 and 5, the endpoint under `app.use(prefix, mountEndpoint(...))`.
import { featureFlags, getFlags, mountEndpoint } from '@flagwise/express';
import { listen, majors } from '../../rows/express.js';
import type { EndpointRow } from '../contract.js';
import { flagAnswer, CONTEXT_HEADERS as H } from '../contract.js';

export const rows: EndpointRow[] = Object.entries(majors).map(([name, express]) => ({
  name,
  start: (client, endpoint, prefix) => {
    const app = express();
    app.use(
      featureFlags(client, {
        context: (req) => ({ userId: req.get(H.userId), properties: { plan: req.get(H.plan) } }),
      }),
    );
    app.use(prefix, mountEndpoint(endpoint));
    app.get('/flag/:name', (req, res) => {
      res.json(flagAnswer(getFlags(req), req.params.name));
    });
    return listen(app);
  },
}));
