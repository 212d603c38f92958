// CLI: `flagwise validate` on a 10,000-flag file, the built bin run as a child process, as CI runs it. Beside it,
// in the same run and interleaved round by round:
//   node -e 0            — starting Node and nothing else
//   flagwise --version   — starting the bin (its bundle and the libraries it loads)
//   by hand, in process  — parseFlagsFile + compileFlags on the same text: the least any validator of this
//                          format can do, without the per-flag checks and positions validate adds
// Every figure is a median over the rounds.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFlags, parseFlagsFile } from '@flagwise/core';
import type { BenchSection } from '../run.js';

const FLAG_COUNT = 10_000;
const ROUNDS = 7;
const TARGET_MS = 2000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cliDir = path.join(root, 'packages', 'cli');

/** Five shapes in turn: on, a constrained rollout with owner and expiry, variants, a segment and a dependency, a regex. */
function flagsYaml(): string {
  const lines = ['segments:', '  beta-testers: { plan: [pro, enterprise] }', 'flags:'];
  for (let i = 0; i < FLAG_COUNT; i++) {
    const name = `flag-${i}`;
    switch (i % 5) {
      case 0:
        lines.push(`  ${name}: true`);
        break;
      case 1:
        lines.push(
          `  ${name}:`,
          `    rollout: ${i % 100}`,
          '    when: { country: [NO, SE], plan: { not: [free] } }',
          `    owner: team-${i % 7}`,
          '    expires: 2999-01-01',
        );
        break;
      case 2:
        lines.push(`  ${name}:`, '    variants: { control: 50, short: 50 }', '    users: [u1, u2]');
        break;
      case 3:
        lines.push(
          `  ${name}:`,
          '    segments: [beta-testers]',
          '    rollout: 30',
          `    requires: flag-${i - 3}`,
        );
        break;
      default:
        lines.push(`  ${name}:`, '    when: { email: { regex: "@acme\\\\.test$" } }');
    }
  }
  return `${lines.join('\n')}\n`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** GNU time reports a child's CPU time, which other work on a shared machine does not inflate as it does wall time. */
const GNU_TIME = '/usr/bin/time';

interface Sample {
  wallMs: number;
  /** user + system CPU of the child, when GNU time is there to measure it */
  cpuMs?: number;
}

function sample(run: () => number | undefined): Sample {
  const start = process.hrtime.bigint();
  const cpuMs = run();
  return { wallMs: Number(process.hrtime.bigint() - start) / 1e6, cpuMs };
}

export default async function cliBench(): Promise<BenchSection> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'flagwise-bench-cli-'));
  const outDir = path.join(cliDir, 'dist', `bench-${process.pid}`);
  try {
    execFileSync(path.join(root, 'node_modules', '.bin', 'tsup'), ['--out-dir', outDir, '--silent'], {
      cwd: cliDir,
      stdio: 'pipe',
    });
    const bin = path.join(outDir, 'bin.js');
    const yamlFile = path.join(scratch, 'flags.yaml');
    writeFileSync(yamlFile, flagsYaml());
    const jsonFile = path.join(scratch, 'flags.json');
    writeFileSync(
      jsonFile,
      JSON.stringify(parseFlagsFile(readFileSync(yamlFile, 'utf8'), 'flags.yaml').definitions, null, 2),
    );
    const withCpu = existsSync(GNU_TIME);
    const node = (args: string[]) => (): number | undefined => {
      if (!withCpu) {
        execFileSync(process.execPath, args, { cwd: scratch, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
        return undefined;
      }
      const child = spawnSync(GNU_TIME, ['-f', '%U %S', process.execPath, ...args], {
        cwd: scratch,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (child.status !== 0) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
      const [user, system] = child.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
      return (user + system) * 1000;
    };
    const byHand = (file: string) => (): undefined => {
      const text = readFileSync(file, 'utf8');
      compileFlags(parseFlagsFile(text, file).definitions);
      return undefined;
    };
    // the validate runs must succeed: a failing file would time an error path
    const check = execFileSync(process.execPath, [bin, 'validate', yamlFile, jsonFile], { encoding: 'utf8' });
    if (!check.includes(`${FLAG_COUNT} flags, no problems`))
      throw new Error(`validate found problems:\n${check}`);

    const rows = [
      { label: '`node -e 0`', run: node(['-e', '0']) },
      { label: '`flagwise --version`', run: node([bin, '--version']) },
      {
        label: '`flagwise validate flags.yaml` (10,000 flags, short format)',
        run: node([bin, 'validate', yamlFile]),
      },
      { label: 'by hand, in process: parseFlagsFile + compileFlags (YAML)', run: byHand(yamlFile) },
      {
        label: '`flagwise validate flags.json` (10,000 flags, Unleash client features)',
        run: node([bin, 'validate', jsonFile]),
      },
      { label: 'by hand, in process: parseFlagsFile + compileFlags (JSON)', run: byHand(jsonFile) },
    ];
    const samples = rows.map(() => [] as Sample[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, row] of rows.entries()) samples[i].push(sample(row.run));
    }
    const medians = samples.map((list) => median(list.map((s) => s.wallMs)));
    const cpuMedians = samples.map((list) =>
      list[0].cpuMs === undefined ? undefined : median(list.map((s) => s.cpuMs ?? 0)),
    );
    const [startup, , yaml, yamlByHand, json, jsonByHand] = medians;
    const table = rows.map((row, i) => {
      const note =
        i === 2
          ? `${(yaml / yamlByHand).toFixed(1)}× by hand`
          : i === 4
            ? `${(json / jsonByHand).toFixed(1)}× by hand`
            : '';
      const cpu = cpuMedians[i] === undefined ? '' : cpuMedians[i]!.toFixed(0);
      return `| ${row.label} | ${medians[i].toFixed(0)} | ${cpu} | ${note} |`;
    });
    const markdown = [
      '| run | median wall ms | median CPU ms (user + sys) | ratio |',
      '| --- | ---: | ---: | --- |',
      ...table,
      '',
      `Medians of ${ROUNDS} interleaved rounds, the built bin as a child process; its CPU time (GNU time) is what other`,
      'work on a shared machine does not inflate. "By hand" is the same parse and compile in this process (warm after',
      `the first round) without starting Node; the gap is Node's start (${startup.toFixed(0)} ms here),`,
      "loading the bin, and validate's own checks. The JSON file (7 MB pretty-printed) is slower than the YAML one",
      'because parseFlagsFile also reads it through the YAML parser, to find keys written twice and `__proto__` with',
      'their lines.',
    ].join('\n');
    return {
      title: 'CLI: flagwise validate on 10,000 flags',
      markdown,
      targets: [
        {
          label: `validate on a 10,000-flag flags.yaml under ${TARGET_MS} ms wall-clock (${yaml.toFixed(0)} ms; CPU ${cpuMedians[2]?.toFixed(0) ?? 'not measured'} ms)`,
          met: yaml < TARGET_MS,
        },
      ],
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}
