// The OFREP table over every framework row of the endpoint table.
import { rows } from '../rows.js';
import { describeOfrep } from './scenarios.js';

for (const row of rows) describeOfrep(row);
