// Every row of the conformance table (./rows/*.ts, one file per adapter, each exporting `rows: AdapterRow[]`), for
// any table to run over: `describe.each(rows.map((row) => [row.name, row]))`.
import type { AdapterRow } from './contract.js';

// Vite's import.meta.glob (vitest runs on Vite): every rows file, loaded eagerly.
type Glob = (pattern: string, options: { eager: true }) => Record<string, { rows: AdapterRow[] }>;
const rowModules = (import.meta as ImportMeta & { glob: Glob }).glob('./rows/*.ts', { eager: true });

export const rows: AdapterRow[] = Object.values(rowModules).flatMap((mod) => mod.rows);
