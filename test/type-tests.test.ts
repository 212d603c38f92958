// One type-test style for every adapter: each file in packages/*/type-tests is compiled as its own program (a
// file that declares a FlagRegistry would narrow the names in the others) with its folder's tsconfig. Every
// expect-error line in them fails the compile if it stops being an error. Where the wording of an error matters,
// a `// error reads: <text>` line says what the error on the line below it must say (the message, or one line of
// its elaboration, contains the text); such an error is expected, and its absence is a failure.
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
    const fixture = path.join(dir, file);
    const program = ts.createProgram([fixture], parsed.options);
    const expected = expectedErrors(program.getSourceFile(fixture)!);
    // Core is compiled from source here too: it must compile under an app's registry as well.
    const problems: string[] = [];
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const line = d.file?.fileName === fixture ? d.file.getLineAndCharacterOfPosition(d.start!).line : -1;
      const wanted = expected.get(line);
      if (wanted !== undefined && message.split('\n').some((part) => part.trim().includes(wanted))) {
        expected.delete(line);
        continue;
      }
      problems.push(`${d.file ? path.relative(packages, d.file.fileName) : ''}: ${message}`);
    }
    for (const [line, text] of expected) problems.push(`${file}:${line + 1}: no error that reads "${text}"`);
    expect(parsed.fileNames).toContain(fixture);
    expect(problems).toEqual([]);
  },
  120_000,
);

/** Line (0-based) → the text its error must contain, from the `// error reads:` line above it. */
function expectedErrors(source: ts.SourceFile): Map<number, string> {
  const expected = new Map<number, string>();
  source.text.split('\n').forEach((text, line) => {
    const match = /^\s*\/\/ error reads: (.+)$/.exec(text);
    if (match) expected.set(line + 1, match[1].trim());
  });
  return expected;
}
