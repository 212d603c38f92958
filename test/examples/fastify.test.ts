// The Fastify demo, run as `pnpm demo:fastify` runs it.
import { describeDemo } from './demo-suite.js';

describeDemo({ title: 'examples/fastify (pnpm demo:fastify)', example: 'fastify', entry: 'src/server.ts' });
