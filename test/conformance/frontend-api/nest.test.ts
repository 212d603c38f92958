// The Unleash Frontend API table on the nest rows (scenarios.ts).
import { describeFrontendApi } from './scenarios.js';

describeFrontendApi('nest');
