// The OFREP table over every framework row of the endpoint table.
import { endpointRows } from '../endpoints/rows.js';
import { describeOfrep } from './scenarios.js';

for (const row of endpointRows) describeOfrep(row);
