// packages/testing/README.md as pasted: each TypeScript snippet is written, unchanged, to a file of its own
// (inside test/node_modules, so it resolves the frameworks and flagwise packages the way an app does and stays
// out of git, the linter and the typecheck), compiled with the repo's compiler options, and imported here, so
// its tests run in this file.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { compileProblems, writeSnippets } from '../readme-snippets.js';

const { snippets, files } = writeSnippets(
  fileURLToPath(new URL('../../packages/testing/README.md', import.meta.url)),
  fileURLToPath(new URL('../node_modules/.flagwise-testing-readme/', import.meta.url)),
);

it('has a snippet for each framework', () => {
  expect(snippets.map((code) => /from '@flagwise\/(express|fastify|koa|nestjs)'/.exec(code)?.[1])).toEqual([
    'express',
    'fastify',
    'koa',
    'nestjs',
  ]);
});

it('compiles every snippet as pasted', () => {
  expect(compileProblems(files)).toEqual([]);
}, 60_000);

// Each snippet's own tests register here as it loads.
for (const file of files) await import(file);
