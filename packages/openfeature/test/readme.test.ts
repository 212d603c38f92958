// The README as pasted: each TypeScript snippet is written, unchanged, to a file of its own inside this
// package's node_modules (so it resolves flagwise, OpenFeature, Express and Nest the way an app does) and
// compiled with the repo's compiler options.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { compileProblems, writeSnippets } from '../../../test/readme-snippets.js';

it('compiles every TypeScript snippet of the README as pasted', () => {
  const { snippets, files } = writeSnippets(
    fileURLToPath(new URL('../README.md', import.meta.url)),
    fileURLToPath(new URL('../node_modules/.flagwise-openfeature-readme/', import.meta.url)),
  );
  expect(snippets.length).toBeGreaterThanOrEqual(3);
  expect(compileProblems(files)).toEqual([]);
}, 60_000);
