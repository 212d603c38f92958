// The NestJS demo, run as `pnpm demo:nestjs` runs it.
import { describeDemo } from './demo-suite.js';

describeDemo({ title: 'examples/nestjs (pnpm demo:nestjs)', example: 'nestjs', entry: 'src/main.ts' });
