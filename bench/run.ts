// `pnpm bench`: runs every suite in bench/suites (in file-name order), prints each table and writes them all,
// with the machine and the date, to BENCHMARKS.md. `pnpm bench engine http` runs only suites whose file name
// contains one of the words. Benchmarks are not tests: they measure, print ratios and targets, and never fail CI.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type PerRequestCost, perRequestTable } from './lib/http-bench.js';

export interface BenchSection {
  title: string;
  /** markdown body: a table, and a sentence on how to read it */
  markdown: string;
  /** the targets the suite is held to, each shown as met or missed */
  targets?: { label: string; met: boolean }[];
  /** the HTTP suites' per-request costs, summed up in one table after every suite */
  perRequest?: PerRequestCost[];
}

/** What follows this line in BENCHMARKS.md is written by hand (runs outside `pnpm bench`) and kept. */
const KEPT_MARKER =
  '<!-- Below: measured outside `pnpm bench`, kept as written when pnpm bench rewrites this file. -->';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(path.join(here, 'suites'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

const sections: BenchSection[] = [];
for (const file of files) {
  const mod = await import(pathToFileURL(path.join(here, 'suites', file)).href);
  process.stdout.write(`\n## ${file}\n`);
  const section: BenchSection = await mod.default();
  sections.push(section);
  process.stdout.write(`${renderSection(section)}\n`);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmarks',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
  'Absolute times on shared machines are noisy: read the ratios, which compare the two sides measured in the same run.',
  'Reproduce with `pnpm bench` (or `pnpm bench engine` for one suite).',
  '',
].join('\n');
const perRequest = sections.flatMap((section) => section.perRequest ?? []);
if (perRequest.length > 0) {
  const summary: BenchSection = {
    title: 'Per-request server CPU above bare, by framework (from the HTTP tables above)',
    markdown: [
      'What one request costs the server beyond the bare app (server CPU µs per request, minus bare), in the HTTP ' +
        "suites' app (200 flags, a guard, 3 reads), beside the same app by hand: the same shape with no " +
        'per-request object, and the same lazy object by hand. The ratios are paired window by window.',
      '',
      perRequestTable(perRequest),
    ].join('\n'),
  };
  sections.push(summary);
  process.stdout.write(`\n${renderSection(summary)}\n`);
}

if (filters.length === 0) {
  const file = path.join(here, '..', 'BENCHMARKS.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const kept = previous.includes(KEPT_MARKER) ? previous.slice(previous.indexOf(KEPT_MARKER)) : '';
  writeFileSync(file, `${header}\n${sections.map(renderSection).join('\n')}${kept ? `\n${kept}` : ''}`);
  process.stdout.write('\nwrote BENCHMARKS.md\n');
} else {
  process.stdout.write('\n(filtered run: BENCHMARKS.md left unchanged)\n');
}

function renderSection(s: BenchSection): string {
  const targets = (s.targets ?? []).map((t) => `- ${t.met ? '✅' : '❌'} ${t.label}`).join('\n');
  return `## ${s.title}\n\n${s.markdown.trim()}\n${targets ? `\nTargets:\n\n${targets}\n` : ''}`;
}
