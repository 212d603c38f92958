// Every adapter README's Startup section as pasted: its TypeScript snippets compile (each written, unchanged,
// below this package's node_modules, which has every adapter and framework, so it resolves packages the way an
// app does), and the app it shows, run with an invalid flags.yaml next to it, stops at startup with the file's
// line and column.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { compileProblems, runSnippet, sectionSnippets, writeSnippetFiles } from './readme-snippets.js';

const packages = fileURLToPath(new URL('../packages', import.meta.url));
const adapters = ['express', 'fastify', 'koa', 'nestjs'] as const;
/** The adapters whose Startup section shows a whole app (Nest's shows a module: its bootstrap is above it). */
const runnable = new Set(['express', 'fastify', 'koa']);

const written = adapters.map((name) => {
  const snippets = sectionSnippets(path.join(packages, name, 'README.md'), '### Startup');
  const dir = fileURLToPath(new URL(`node_modules/.flagwise-${name}-startup-readme`, import.meta.url));
  const files = writeSnippetFiles(snippets, dir);
  // The app's own package.json: an ES module app, as top-level await needs.
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  return { name, snippets, files };
});

it('compiles the Startup section of every adapter README', () => {
  for (const { name, snippets } of written) expect(snippets.length, name).toBeGreaterThan(0);
  expect(compileProblems(written.flatMap(({ files }) => files))).toEqual([]);
}, 120_000);

it.each(written.filter(({ name }) => runnable.has(name)).map((entry) => [entry.name, entry] as const))(
  '%s: the Startup app stops with the line and column of an invalid flags.yaml',
  async (_name, { files }) => {
    const app = files[0];
    const flagsFile = path.join(path.dirname(app), 'flags.yaml');
    writeFileSync(flagsFile, 'flags:\n  beta-page: maybe\n');
    const { code, output } = await runSnippet(app, { PORT: '0' });
    expect(code).not.toBe(0);
    expect(output).toContain(
      `${flagsFile}:2:3: beta-page must be true, false or a flag object such as { rollout: 10 }, got "maybe"`,
    );
  },
  60_000,
);
