import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Router from '@koa/router';
import views from '@ladjs/koa-views';
import Koa from 'koa';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listen, type RunningServer } from '../../../test/support/http.js';
import { createFlags, type FlagsState, featureFlags, memorySource } from '../src/index.js';

// @ladjs/koa-views renders with ctx.state as the template's locals, so `flags` is there without any wiring.
const TEMPLATE = [
  "<body class=\"<%= flags.darkMode ? 'dark' : 'light' %>\">",
  '<% if (flags.holidayBanner) { %><p>Happy holidays</p><% } %>',
  "copy:<%= flags.variant('checkout-copy').name %>",
  "has:<%= 'darkMode' in flags %>",
  "keys:<%= Object.keys(flags).join(',') %>",
  'json:<%- JSON.stringify(flags) %>',
].join('\n');

const source = memorySource({
  flags: {
    'dark-mode': { enabled: true, browser: true },
    'holiday-banner': false,
    'checkout-copy': { variant: 'short' },
  },
});
const client = createFlags({ source });
let served: RunningServer;
let viewsDir: string;

beforeAll(async () => {
  viewsDir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-koa-views-'));
  writeFileSync(path.join(viewsDir, 'home.ejs'), TEMPLATE);
  const app = new Koa();
  app.use(featureFlags(client));
  app.use(views(viewsDir, { extension: 'ejs' }));
  const router = new Router<FlagsState>();
  router.get('/', (ctx) => ctx.render('home'));
  app.use(router.routes());
  served = await listen(app);
});

afterAll(async () => {
  await served?.close();
  await client.close();
  rmSync(viewsDir, { recursive: true, force: true });
});

it('renders flags from ctx.state in an EJS template through @ladjs/koa-views', async () => {
  const res = await request(served.url).get('/');
  expect(res.status).toBe(200);
  expect(res.text).toContain('<body class="dark">');
  expect(res.text).not.toContain('Happy holidays');
  expect(res.text).toContain('copy:short');
  expect(res.text).toContain('has:true');
  expect(res.text).toContain('keys:darkMode,holidayBanner,checkoutCopy');
  const json = res.text.slice(res.text.indexOf('json:') + 5).trim();
  expect(JSON.parse(json)).toEqual({ 'dark-mode': { enabled: true } });

  source.set('holiday-banner', true);
  expect((await request(served.url).get('/')).text).toContain('<p>Happy holidays</p>');
});
