// The README snippets against the installed tarballs' declarations, the way apps compile: with the oldest
// TypeScript the READMEs support and with TypeScript 7 (the native compiler: its package's bin/tsc starts the
// platform binary), under every common module setting, as an ES module app and as a CommonJS app. Each
// (compiler, setting) pair compiles one app made of every README's snippets (see readme-consumer.ts) and emits
// its declarations, so a type an app's export infers from ours must be nameable from the app too.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { packedApp } from './packed-app.js';
import {
  type ConsumerProgram,
  type ConsumerSnippet,
  consumerPrograms,
  consumerSnippets,
  writeConsumer,
} from './readme-consumer.js';

const app = packedApp();
const require = createRequire(import.meta.url);
const snippets = consumerSnippets();

/** The compilers, from test/packed's devDependencies: each release is installed once, with the repository. */
const compilers = ['typescript-5', 'typescript-7'].map((alias) => {
  const tsc = path.join(path.dirname(require.resolve(`${alias}/package.json`)), 'bin', 'tsc');
  const version = execFileSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' }).trim();
  const major = Number(/(\d+)\./.exec(version)![1]);
  // TypeScript 5 puts every installed @types package in a program; since 6 `types` defaults to none
  const programs = consumerPrograms(snippets, { allTypes: major < 6 });
  return { alias, tsc, name: version.replace(/^Version /, 'TypeScript '), programs };
});

/** The tsconfig `nest new` writes (Nest 11), less what a type check does not use and TypeScript 7 removed. */
const nestStarter = {
  module: 'commonjs',
  declaration: true,
  removeComments: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  // Nest's own is ES2023, which TypeScript 5.4 does not know yet
  target: 'ES2022',
  skipLibCheck: true,
  strictNullChecks: true,
  forceConsistentCasingInFileNames: true,
  noImplicitAny: false,
  strictBindCallApply: false,
  noFallthroughCasesInSwitch: false,
};
const strict = {
  target: 'ES2022',
  strict: true,
  skipLibCheck: false,
  esModuleInterop: true,
  // the Nest snippets' decorators
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  declaration: true,
};

interface Setting {
  name: string;
  type: 'module' | 'commonjs';
  options: Record<string, unknown>;
}

// `module: commonjs` without a moduleResolution resolves as node10 under TypeScript 5 and as bundler under
// TypeScript 7, which removed node10: both are what such an app gets.
const settings: Setting[] = [
  { name: 'commonjs, the Nest starter tsconfig (skipLibCheck)', type: 'commonjs', options: nestStarter },
  { name: 'commonjs', type: 'commonjs', options: { ...strict, module: 'commonjs' } },
  { name: 'node16, ESM', type: 'module', options: { ...strict, module: 'node16' } },
  { name: 'node16, CJS', type: 'commonjs', options: { ...strict, module: 'node16' } },
  { name: 'nodenext, ESM', type: 'module', options: { ...strict, module: 'nodenext' } },
  { name: 'nodenext, CJS', type: 'commonjs', options: { ...strict, module: 'nodenext' } },
  { name: 'bundler', type: 'module', options: { ...strict, module: 'esnext', moduleResolution: 'bundler' } },
];

/**
 * What a CommonJS app cannot write and the READMEs do for brevity: top-level await (an app awaits inside a
 * function) and import.meta. These are the app's syntax, not our types; every other diagnostic counts.
 */
const ESM_ONLY_SYNTAX = new Set(['TS1309', 'TS1343', 'TS1378', 'TS1470']);

/**
 * The app's own files, our declarations and the configuration are ours to judge; an error inside another
 * package's declarations (vite's `#types` under node10, Fastify's `NoInfer` before TypeScript 5.4) is that
 * package's, and shows in the app's files where it matters.
 */
function isOurs(d: Diagnostic): boolean {
  return d.file === '' || d.file.startsWith('src/') || d.file.includes('node_modules/@flagwise/');
}

interface Diagnostic {
  file: string;
  line: number;
  code: string;
  text: string;
}

function diagnostics(output: string): Diagnostic[] {
  return output
    .split('\n')
    .map((line) => /^(?:(.+)\((\d+),\d+\): )?error (TS\d+): (.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([text, file = '', line = '0', code]) => ({ file, line: Number(line), code, text }));
}

const run = promisify(execFile);

async function compile(tsc: string, cwd: string, tsconfig: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], { cwd, maxBuffer: 64 << 20 });
    return '';
  } catch (error: any) {
    if (typeof error.stdout !== 'string') throw error;
    return `${error.stdout}${error.stderr}`;
  }
}

const consumers = {
  module: path.join(app.dir, 'consumer-esm'),
  commonjs: path.join(app.dir, 'consumer-cjs'),
};

beforeAll(() => {
  writeConsumer(consumers.module, 'module', snippets);
  writeConsumer(consumers.commonjs, 'commonjs', snippets);
});

it('makes one app of every README snippet, and compiles apart the ones that declare flag names or import one package', () => {
  const readmes = new Set(snippets.map((snippet) => snippet.readme));
  expect([...readmes].sort()).toEqual(
    ['flagwise', ...app.packages.map((pkg) => path.basename(pkg.dir))].sort(),
  );
  expect(snippets.filter((snippet) => snippet.expectedErrorLines.length > 0).length).toBeGreaterThan(0);
  for (const allTypes of [true, false]) {
    const programs = consumerPrograms(snippets, { allTypes });
    expect(programs[0].name).toBe('app');
    expect(programs[0].files.length).toBeGreaterThan(30);
    expect(programs.filter((program) => program.name.startsWith('flag-names-')).length).toBeGreaterThan(0);
    expect(programs.flatMap((program) => program.files).sort()).toEqual(snippets.map((s) => s.file).sort());
  }
  const coreAlone = consumerPrograms(snippets, { allTypes: false }).find(
    (p) => p.name === 'only-flagwise-core',
  );
  expect(coreAlone?.files).toContain('src/core/snippet-1.ts');
});

describe.each(compilers.map((compiler) => [compiler.name, compiler] as const))('%s', (_name, compiler) => {
  it.each(settings.map((setting) => [setting.name, setting] as const))(
    'compiles every README snippet: %s',
    async (_name, setting) => {
      const cwd = consumers[setting.type];
      const key = `${compiler.alias}.${setting.name.replace(/\W+/g, '-')}`;
      const results: { program: ConsumerProgram; found: Diagnostic[] }[] = [];
      // two compilers at a time: the machine's cores
      const queue = [...compiler.programs];
      await Promise.all(
        [0, 1].map(async () => {
          for (let program = queue.shift(); program; program = queue.shift()) {
            const tsconfig = `tsconfig.${key}.${program.name}.json`;
            const outDir = `out/${key}/${program.name}`;
            const options = { ...setting.options, emitDeclarationOnly: true, rootDir: '.', outDir };
            writeFileSync(
              path.join(cwd, tsconfig),
              JSON.stringify({ compilerOptions: options, files: program.files }),
            );
            results.push({ program, found: diagnostics(await compile(compiler.tsc, cwd, tsconfig)) });
          }
        }),
      );
      const expected = (program: ConsumerProgram) =>
        snippets
          .filter((snippet: ConsumerSnippet) => program.files.includes(snippet.file))
          .flatMap((snippet) => snippet.expectedErrorLines.map((line) => `${snippet.file}:${line}`));
      const unexpected = results.flatMap(({ program, found }) =>
        found
          .filter(isOurs)
          .filter((d) => !expected(program).includes(`${d.file}:${d.line}`))
          .filter(
            (d) => !(setting.type === 'commonjs' && ESM_ONLY_SYNTAX.has(d.code) && d.file.startsWith('src/')),
          )
          .map((d) => `${program.name}: ${d.text}`),
      );
      const missing = results.flatMap(({ program, found }) =>
        expected(program)
          .filter((where) => !found.some((d) => `${d.file}:${d.line}` === where))
          .map((where) => `${program.name}: no error at ${where}, which the README says is one`),
      );
      expect([...unexpected, ...missing]).toEqual([]);
    },
    300_000,
  );
});
