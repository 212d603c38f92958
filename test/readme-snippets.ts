// README snippets as pasted: each ```ts block written, unchanged, to a file of its own in a folder below some
// node_modules (so it resolves packages the way an app does and stays out of git, the linter and the
// typecheck), and compiled with the repo's compiler options.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every TypeScript snippet of `readme` (its ```ts blocks, those indented in a list item too), in order. */
export function readmeSnippets(readme: string): string[] {
  return snippetsIn(readFileSync(readme, 'utf8'));
}

/** The ```ts blocks of a piece of Markdown, each without the indentation of the list item it may sit in. */
function snippetsIn(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)].map(([, indent, code]) =>
    code.replace(new RegExp(`^${indent}`, 'gm'), ''),
  );
}

/** Writes every TypeScript snippet of `readme` into `dir` (emptied first); returns the snippets and files. */
export function writeSnippets(readme: string, dir: string): { snippets: string[]; files: string[] } {
  const snippets = readmeSnippets(readme);
  return { snippets, files: writeSnippetFiles(snippets, dir) };
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

/** The TypeScript snippets of one section of `readme`: from its heading to the next heading of its level or above. */
export function sectionSnippets(readme: string, heading: string): string[] {
  const text = readFileSync(readme, 'utf8');
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  const start = text.indexOf(`\n${heading}\n`);
  if (level === 0 || start === -1) throw new Error(`${readme}: no section "${heading}"`);
  const rest = text.slice(start + heading.length + 2);
  const next = new RegExp(`^#{1,${level}} `, 'm').exec(rest);
  const section = next === null ? rest : rest.slice(0, next.index);
  return snippetsIn(section);
}

/** Writes `snippets` into `dir` (emptied first), one file each; returns the files. */
export function writeSnippetFiles(snippets: string[], dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return snippets.map((code, i) => {
    const file = path.join(dir, `snippet-${i + 1}.ts`);
    writeFileSync(file, code);
    return file;
  });
}

/** Runs a snippet as an app runs (node with tsx) in its own folder until it exits; its exit code and output. */
export function runSnippet(
  file: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: path.dirname(file),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(file)} still ran after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
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
