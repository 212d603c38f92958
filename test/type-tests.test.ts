// One type-test style for every adapter: each file in packages/*/type-tests is compiled as its own program (a
// file that declares a FlagRegistry would narrow the names in the others) with its folder's tsconfig. Every
// expect-error line in them fails the compile if it stops being an error.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const packages = fileURLToPath(new URL('../packages', import.meta.url));
const fixtures = readdirSync(packages)
  .filter((name) => readdirSync(path.join(packages, name)).includes('type-tests'))
  .flatMap((name) =>
    readdirSync(path.join(packages, name, 'type-tests'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => [name, file] as const),
  );

it('finds the type tests of every adapter', () => {
  const names = new Set(fixtures.map(([name]) => name));
  for (const adapter of ['express', 'fastify', 'koa', 'nestjs'])
    expect(names.has(adapter), adapter).toBe(true);
});

it.each(fixtures)(
  '%s/type-tests/%s compiles as expected',
  (name, file) => {
    const dir = path.join(packages, name, 'type-tests');
    const configFile = ts.readConfigFile(path.join(dir, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, dir);
    const program = ts.createProgram([path.join(dir, file)], parsed.options);
    // Core is compiled from source here too: it must compile under an app's registry as well.
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file ? path.relative(packages, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(parsed.fileNames).toContain(path.join(dir, file));
    expect(problems).toEqual([]);
  },
  120_000,
);
