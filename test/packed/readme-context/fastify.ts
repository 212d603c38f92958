// What the fragments of @flagwise/fastify's README take from its first snippet.
import Fastify from 'fastify';

export { featureFlags } from '@flagwise/fastify';

export const app = Fastify();
