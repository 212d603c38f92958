// README snippets as pasted: each ```ts block written, unchanged, to a file of its own in a folder below some
// node_modules (so it resolves packages the way an app does and stays out of git, the linter and the
// typecheck), and compiled with the repo's compiler options.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every TypeScript snippet of `readme` (its ```ts blocks, those indented in a list item too), in order. */
export function readmeSnippets(readme: string): string[] {
  return [...readFileSync(readme, 'utf8').matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)].map(
    ([, indent, code]) => code.replace(new RegExp(`^${indent}`, 'gm'), ''),
  );
}

/** Writes every TypeScript snippet of `readme` into `dir` (emptied first); returns the snippets and files. */
export function writeSnippets(readme: string, dir: string): { snippets: string[]; files: string[] } {
  const snippets = readmeSnippets(readme);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = snippets.map((code, i) => {
    const file = path.join(dir, `snippet-${i + 1}.ts`);
    writeFileSync(file, code);
    return file;
  });
  return { snippets, files };
}

/** The compiler's complaints about `files`, as `snippet-N.ts:line message`; empty when they compile. */
export function compileProblems(files: string[]): string[] {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(path.resolve(d.file.fileName)))
    .map((d) => {
      const where = d.file
        ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

/** A README as an app: the files it shows, and the tests it shows, as pasted. */
export interface ReadmeApp {
  /** blocks whose first line names a file (`// vitest.config.ts`), by that name */
  files: Record<string, string>;
  /** every other ```ts block */
  tests: string[];
}

const FILE_NAME_LINE = /^\/\/ ([\w.-]+\.(?:[cm]?[jt]s|json))\n/;

/** Reads `readme` as an app: its ```ts, ```json and ```jsonc blocks that name a file on their first line are those
 * files, its other ```ts blocks its tests. */
export function readmeApp(readme: string): ReadmeApp {
  const app: ReadmeApp = { files: {}, tests: [] };
  for (const [, language, code] of readFileSync(readme, 'utf8').matchAll(
    /^```(ts|jsonc?)\n([\s\S]*?)^```$/gm,
  )) {
    const name = FILE_NAME_LINE.exec(code)?.[1];
    if (name) app.files[name] = code;
    else if (language === 'ts') app.tests.push(code);
  }
  return app;
}
