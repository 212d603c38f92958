// packages/testing/README.md as pasted: each TypeScript snippet is written, unchanged, to a file of its own
// (inside test/node_modules, so it resolves the frameworks and flagwise packages the way an app does and stays
// out of git, the linter and the typecheck) and compiled with the repo's compiler options. The snippets run as
// an app's tests, with the README's vitest config, on each vitest major: packages/testing/test/runners.test.ts.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { compileProblems, readmeApp, writeSnippets } from '../readme-snippets.js';

const readme = fileURLToPath(new URL('../../packages/testing/README.md', import.meta.url));

it('has a test for each framework, and the files a Nest app needs besides', () => {
  const { files, tests } = readmeApp(readme);
  expect(tests.map((code) => /from '@flagwise\/(express|fastify|koa|nestjs)'/.exec(code)?.[1])).toEqual([
    'express',
    'fastify',
    'koa',
    'nestjs',
  ]);
  expect(Object.keys(files)).toEqual(['vitest.config.mts', 'tsconfig.json']);
});

it('compiles every snippet as pasted', () => {
  const { files } = writeSnippets(
    readme,
    fileURLToPath(new URL('../node_modules/.flagwise-testing-readme/', import.meta.url)),
  );
  expect(compileProblems(files)).toEqual([]);
}, 60_000);
