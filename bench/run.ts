// `pnpm bench`: runs every suite in bench/suites (in file-name order), prints each table and writes them all,
// with the machine and the date, to BENCHMARKS.md. `pnpm bench engine http` runs only suites whose file name
// contains one of the words. Benchmarks are not tests: they measure, print ratios and targets, and never fail CI.
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchSection {
  title: string;
  /** markdown body: a table, and a sentence on how to read it */
  markdown: string;
  /** targets from the issues, each shown as met or missed */
  targets?: { label: string; met: boolean }[];
}

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
if (filters.length === 0) {
  writeFileSync(
    path.join(here, '..', 'BENCHMARKS.md'),
    `${header}\n${sections.map(renderSection).join('\n')}`,
  );
  process.stdout.write('\nwrote BENCHMARKS.md\n');
} else {
  process.stdout.write('\n(filtered run: BENCHMARKS.md left unchanged)\n');
}

function renderSection(s: BenchSection): string {
  const targets = (s.targets ?? []).map((t) => `- ${t.met ? '✅' : '❌'} ${t.label}`).join('\n');
  return `## ${s.title}\n\n${s.markdown.trim()}\n${targets ? `\nTargets:\n\n${targets}\n` : ''}`;
}
