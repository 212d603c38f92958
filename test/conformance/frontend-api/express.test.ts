// The Unleash Frontend API table on the express rows (scenarios.ts).
import { describeFrontendApi } from './scenarios.js';

describeFrontendApi('express');
