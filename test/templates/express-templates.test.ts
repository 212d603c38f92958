// `flags` in real views of the four common Express engines: a flag read in an `if`, a variant name, and the
// browser-visible flags embedded for a front end. Handlebars runs with its default prototype-access rules.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  createFlags,
  type FlagsClient,
  featureFlags,
  flagsJson,
  handlebarsHelpers,
  memorySource,
} from '@flagwise/express';
import ejs from 'ejs';
import type { Express } from 'express';
import { engine as handlebarsEngine } from 'express-handlebars';
import nunjucks from 'nunjucks';
import pug from 'pug';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const majors: [string, () => Express][] = [
  ['express 4', require('express4')],
  ['express 5', require('express5')],
];
const views = fileURLToPath(new URL('./views', import.meta.url));
const PAYLOAD = '</script><b>bold</b> & more';

const engines: Record<string, (app: Express) => void> = {
  ejs: (app) => app.engine('ejs', ejs.renderFile as never),
  pug: (app) => app.engine('pug', (pug as unknown as { __express: never }).__express),
  njk: (app) => {
    new nunjucks.Environment(new nunjucks.FileSystemLoader(views), { autoescape: true }).express(app);
  },
  hbs: (app) => {
    // No runtimeOptions: Handlebars' default rules, which refuse properties that are not the object's own.
    app.engine(
      'hbs',
      handlebarsEngine({ extname: '.hbs', defaultLayout: false, helpers: handlebarsHelpers }),
    );
  },
};

let client: FlagsClient;
beforeAll(async () => {
  client = createFlags({
    source: memorySource({
      flags: {
        'new-pricing': { when: { userId: ['alice'] }, browser: true },
        'checkout-copy': { variants: { short: { weight: 100, payload: PAYLOAD } }, browser: true },
        'internal-tool': true,
      },
    }),
  });
  await client.ready({ timeoutMs: 2000 });
});
afterAll(() => client.close());

function scriptJson(html: string): unknown {
  const start = html.indexOf('window.FLAGS = ') + 'window.FLAGS = '.length;
  return JSON.parse(html.slice(start, html.indexOf('</script>', start)));
}

describe.each(majors)('%s', (_major, express) => {
  describe.each(Object.keys(engines))('%s', (extension) => {
    const app = express();
    engines[extension](app);
    app.set('view engine', extension);
    app.set('views', views);
    app.locals.flagsJson = flagsJson;
    beforeAll(() => {
      app.use(featureFlags(client, { context: (req) => ({ userId: req.get('x-user') }) }));
      app.get('/pricing', (_req, res) => res.render('pricing'));
    });

    it('renders an if on flags.newPricing, per user', async () => {
      const alice = await request(app).get('/pricing').set('x-user', 'alice');
      expect(alice.status).toBe(200);
      expect(alice.text).toContain('pricing:new');
      expect(alice.text).not.toContain('pricing:old');
      const bob = await request(app).get('/pricing').set('x-user', 'bob');
      expect(bob.text).toContain('pricing:old');
      expect(bob.text).not.toContain('pricing:new');
    });

    it('reads unknown flags as off and shows a variant name', async () => {
      const res = await request(app).get('/pricing').set('x-user', 'alice');
      expect(res.text).not.toContain('unknown:on');
      expect(res.text).toContain('copy:short');
    });

    it('embeds only the browser-visible flags as JSON a payload cannot break out of', async () => {
      const res = await request(app).get('/pricing').set('x-user', 'alice');
      expect(res.text).not.toContain('</script><b>');
      expect(scriptJson(res.text)).toEqual({
        'new-pricing': { enabled: true },
        'checkout-copy': { enabled: true, variant: 'short', payload: { type: 'string', value: PAYLOAD } },
      });
    });
  });
});
