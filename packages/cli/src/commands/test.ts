// flagwise test [spec…]: YAML expectations run against the definitions; a failing one prints the explain trace.
import { dirname, join, relative, resolve } from 'node:path';
import { type CompiledFlags, compileFlags, type FlagContext, traceFlag } from '@flagwise/core';
import { closest } from '@flagwise/core/adapter';
import pc from 'picocolors';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import type { CliCommand } from '../command.js';
import { counted } from '../counted.js';
import { addFlagsOptions, type DefinitionsOptions, loadFlags, readText } from '../definitions.js';
import { print, printJson } from '../output.js';
import { problemFormat } from '../problems.js';
import { renderTrace } from '../render-trace.js';
import { shownText } from '../terminal-text.js';
import { EXIT, UsageError } from '../usage-error.js';

const DEFAULT_SPECS = ['flags.test.yaml', 'flags.test.yml'];
const DEFAULT_USERS = 1000;
const DEFAULT_TOLERANCE = 2;

const contextSchema = z.record(z.string(), z.unknown(), {
  error: 'must be a context object, e.g. { userId: alice }',
});

const percentageSchema = z.strictObject(
  {
    percentage: z.number({ error: 'must be a number from 0 to 100' }).min(0).max(100),
    users: z.number({ error: 'must be a whole number of users' }).int().positive().optional(),
    tolerance: z.number({ error: 'must be a number of percentage points' }).min(0).optional(),
  },
  { error: 'must be true, false, a variant name or { percentage: 20, users?: 1000, tolerance?: 2 }' },
);

const expectationSchema = z.strictObject(
  {
    name: z.string().optional(),
    flag: z.string({ error: 'must be the name of a flag' }).min(1),
    context: contextSchema.optional(),
    expect: z.union([z.boolean(), z.string().min(1), percentageSchema], {
      error: 'must be true, false, a variant name or { percentage: 20, users?: 1000, tolerance?: 2 }',
    }),
  },
  { error: 'must be an expectation such as { flag: new-pricing, context: { userId: alice }, expect: true }' },
);

const specSchema = z.strictObject(
  {
    flags: z.string({ error: 'must be the path of a flags file, relative to this spec' }).optional(),
    tests: z.array(expectationSchema, { error: 'must be a list of expectations' }).min(1, {
      error: 'must list at least one expectation',
    }),
  },
  { error: 'must be an object with `tests:` (and optionally `flags:`)' },
);

type Expectation = z.infer<typeof expectationSchema>;

const SPEC_KEYS = ['flags', 'tests', 'name', 'flag', 'context', 'expect', 'percentage', 'users', 'tolerance'];

interface Outcome {
  spec: string;
  name: string;
  flag: string;
  passed: boolean;
  expected: unknown;
  actual: unknown;
  context: FlagContext;
  trace?: ReturnType<typeof traceFlag>;
}

interface TestOptions extends DefinitionsOptions {
  format: string;
}

export const testCommand: CliCommand = {
  name: 'test',
  register(program, run) {
    const command = program
      .command('test')
      .description('run YAML expectations (flag, context, expect) against the definitions')
      .argument('[specs...]', `spec files (default: ${DEFAULT_SPECS.join(' or ')} here)`)
      .option('--format <format>', 'text or json', 'text');
    addFlagsOptions(command).action(
      run(async (specs: string[], options: TestOptions) => {
        const format = problemFormat(options.format, ['text', 'json']);
        const cwd = process.cwd();
        const files = specs.length > 0 ? specs : [defaultSpec(cwd)];
        const outcomes: Outcome[] = [];
        for (const file of files) {
          const spec = readSpec(file, cwd);
          const flagsFile =
            spec.flags === undefined
              ? options.flags
              : relative(cwd, join(dirname(resolve(cwd, file)), spec.flags));
          const { definitions } = await loadFlags({ ...options, flags: flagsFile }, cwd);
          const flags = compileFlags(definitions);
          for (const [index, expectation] of spec.tests.entries()) {
            outcomes.push(runExpectation(flags, expectation, file, index));
          }
        }
        const failed = outcomes.filter((outcome) => !outcome.passed);
        if (format === 'json') {
          printJson({ passed: outcomes.length - failed.length, failed: failed.length, results: outcomes });
        } else {
          for (const outcome of outcomes) printOutcome(outcome);
          const total = `${outcomes.length - failed.length} passed, ${failed.length} failed`;
          print(failed.length === 0 ? pc.green(total) : pc.red(total));
        }
        return failed.length === 0 ? EXIT.ok : EXIT.problems;
      }),
    );
  },
};

function defaultSpec(cwd: string): string {
  const found = DEFAULT_SPECS.find((name) => {
    try {
      readText(name, cwd);
      return true;
    } catch {
      return false;
    }
  });
  if (found === undefined) {
    throw new UsageError(
      `no spec file given and none of ${DEFAULT_SPECS.join(', ')} in ${cwd}: pass one, e.g. \`flagwise test flags.test.yaml\``,
    );
  }
  return found;
}

function readSpec(file: string, cwd: string): z.infer<typeof specSchema> {
  const text = readText(file, cwd);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  const syntax = document.errors[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    throw new UsageError(`${file}:${line}:${col}: YAML syntax: ${syntax.message.split('\n')[0]}`);
  }
  const result = specSchema.safeParse(document.toJS());
  if (result.success) return result.data;
  // an unknown key explains a missing one (`expected:` for `expect:`): report it first
  const issue =
    result.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? result.error.issues[0];
  const path = issue.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('')
    .replace(/^\./, '');
  const suggestion = issue.code === 'unrecognized_keys' ? closest(issue.keys[0], SPEC_KEYS) : undefined;
  const problem =
    issue.code === 'unrecognized_keys'
      ? `has an unknown key "${issue.keys[0]}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`
      : issue.message;
  const offset = offsetOf(document.contents, issue.path as (string | number)[]);
  const at =
    offset === undefined ? '' : `:${lineCounter.linePos(offset).line}:${lineCounter.linePos(offset).col}`;
  throw new UsageError(`${file}${at}: ${path || 'the spec'} ${problem}`);
}

function offsetOf(node: unknown, path: readonly (string | number)[]): number | undefined {
  let offset = (node as Node | null)?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

function runExpectation(
  flags: CompiledFlags,
  expectation: Expectation,
  spec: string,
  index: number,
): Outcome {
  const context = (expectation.context ?? {}) as FlagContext;
  const name = expectation.name ?? `${expectation.flag} #${index + 1}`;
  if (!flags.has(expectation.flag)) {
    const suggestion = closest(expectation.flag, flags.names());
    throw new UsageError(
      `${spec}: tests[${index}] names "${expectation.flag}", which is not defined` +
        (suggestion ? `; did you mean "${suggestion}"?` : ''),
    );
  }
  const expected = expectation.expect;
  if (typeof expected === 'string' && expected !== 'disabled') {
    const feature = flags.feature(expectation.flag);
    const variants = [
      ...(feature?.variants ?? []),
      ...(feature?.strategies ?? []).flatMap((strategy) => strategy.variants ?? []),
    ].map((variant) => variant.name);
    if (!variants.includes(expected)) {
      const suggestion = closest(expected, variants);
      throw new UsageError(
        `${spec}: tests[${index}] expects variant "${expected}" of "${expectation.flag}", which has ` +
          (variants.length === 0
            ? 'no variants; expect true or false'
            : `only ${[...new Set(variants)].join(', ')}${suggestion ? `; did you mean "${suggestion}"?` : ''}`),
      );
    }
  }
  const base = { spec, name, flag: expectation.flag, expected, context };
  if (typeof expected === 'object') {
    const users = expected.users ?? DEFAULT_USERS;
    const tolerance = expected.tolerance ?? DEFAULT_TOLERANCE;
    let on = 0;
    for (let i = 1; i <= users; i++) {
      if (flags.isEnabled(expectation.flag, { ...context, userId: `user-${i}` })) on++;
    }
    const measured = (on / users) * 100;
    return {
      ...base,
      passed: Math.abs(measured - expected.percentage) <= tolerance,
      actual: { percentage: measured, users },
    };
  }
  const trace = traceFlag(flags, expectation.flag, context);
  const actual = typeof expected === 'boolean' ? trace.enabled : trace.variant.name;
  return { ...base, passed: actual === expected, actual, trace };
}

function printOutcome(outcome: Outcome): void {
  const context = shownText(JSON.stringify(outcome.context));
  const name = shownText(outcome.name);
  if (typeof outcome.expected === 'object' && outcome.expected !== null) {
    const expected = outcome.expected as { percentage: number; tolerance?: number };
    const actual = outcome.actual as { percentage: number; users: number };
    const line = `${name}: ${actual.percentage.toFixed(1)}% of ${counted(actual.users, 'user')} on for ${context}, expected ${expected.percentage} ± ${expected.tolerance ?? DEFAULT_TOLERANCE}`;
    print(`${outcome.passed ? pc.green('✓') : pc.red('✗')} ${line}`);
    return;
  }
  const describe = (value: unknown) =>
    value === true ? 'on' : value === false ? 'off' : `variant ${shownText(String(value))}`;
  if (outcome.passed) {
    print(`${pc.green('✓')} ${name}: ${describe(outcome.actual)} for ${context}`);
    return;
  }
  print(
    `${pc.red('✗')} ${name}: expected ${describe(outcome.expected)} for ${context}, got ${describe(outcome.actual)} (${shownText(outcome.spec)})`,
  );
  if (outcome.trace) print(...renderTrace(outcome.trace, outcome.context).map((line) => `    ${line}`));
}
