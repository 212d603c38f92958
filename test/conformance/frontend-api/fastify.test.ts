// The Unleash Frontend API table on the fastify rows (scenarios.ts).
import { describeFrontendApi } from './scenarios.js';

describeFrontendApi('fastify');
