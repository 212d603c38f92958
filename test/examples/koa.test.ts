// The Koa demo, run as `pnpm demo:koa` runs it.
import { describeDemo } from './demo-suite.js';

describeDemo({
  title: 'examples/koa (pnpm demo:koa)',
  example: 'koa',
  entry: 'src/server.ts',
  pageShows: 'flagwise demo <small>(Koa)</small>',
});
