// The published surface: the export names (a change here is a change for users).
import { expect, it } from 'vitest';
import { valueNames } from '../../../test/support/exports.js';

it('exports these names, and nothing else', async () => {
  expect(valueNames(await import('../src/index.js'))).toEqual([
    'FlagwiseProvider',
    'ofrepEndpoint',
    'toFlagContext',
  ]);
});
