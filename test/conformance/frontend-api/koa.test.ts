// The Unleash Frontend API table on the koa rows (scenarios.ts).
import { describeFrontendApi } from './scenarios.js';

describeFrontendApi('koa');
