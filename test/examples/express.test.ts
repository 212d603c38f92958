// The Express demo, run as `pnpm demo` runs it.
import { describeDemo } from './demo-suite.js';

describeDemo({ title: 'examples/express (pnpm demo)', example: 'express', entry: 'src/server.ts' });
