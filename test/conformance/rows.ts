// Every row of the endpoint table (./rows/*.ts, one file per adapter, each exporting `rows: EndpointRow[]`), for
// any endpoint's table to run over: `describe.each(endpointRows.map((row) => [row.name, row]))`.
import type { EndpointRow } from './contract.js';

// Vite's import.meta.glob (vitest runs on Vite): every rows file, loaded eagerly.
type Glob = (pattern: string, options: { eager: true }) => Record<string, { rows: EndpointRow[] }>;
const rowModules = (import.meta as ImportMeta & { glob: Glob }).glob('./rows/*.ts', { eager: true });

export const endpointRows: EndpointRow[] = Object.values(rowModules).flatMap((mod) => mod.rows);
