// The README as pasted: each TypeScript snippet is written, unchanged, to a file of its own inside this
// package's node_modules (so it resolves flagwise, OpenFeature, Express and Nest the way an app does, and stays
// out of git, the linter and the typecheck) and compiled with the repo's compiler options.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

it('compiles every TypeScript snippet of the README as pasted', () => {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const dir = fileURLToPath(new URL('../node_modules/.flagwise-openfeature-readme/', import.meta.url));
  const snippets = [...readFileSync(readme, 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(
    (match) => match[1],
  );
  expect(snippets.length).toBeGreaterThanOrEqual(3);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = snippets.map((code, i) => {
    const file = path.join(dir, `snippet-${i + 1}.ts`);
    writeFileSync(file, code);
    return file;
  });
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(path.resolve(d.file.fileName)))
    .map((d) => {
      const where = d.file
        ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  expect(problems).toEqual([]);
}, 60_000);
