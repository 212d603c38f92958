// The published surface: the export names (a change here is a change for users).
import { expect, it } from 'vitest';

it('exports these names, and nothing else', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'FlagwiseProvider',
    'ofrepEndpoint',
    'toFlagContext',
  ]);
});
