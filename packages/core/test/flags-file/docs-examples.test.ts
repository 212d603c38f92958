// The complete flags files shown in docs/flags-file.md load as they are written.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFlagsFile } from '../../src/sources/index.js';

const docs = readFileSync(fileURLToPath(new URL('../../docs/flags-file.md', import.meta.url)), 'utf8');
const wholeFiles = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((match) => match[1])
  .filter((block) => /^(flags|segments):/m.test(block));

describe('docs/flags-file.md', () => {
  it('has complete examples', () => {
    expect(wholeFiles.length).toBeGreaterThanOrEqual(2);
  });

  it.each(wholeFiles.map((block, index) => [index, block] as const))(
    'example %i loads without warnings',
    (_index, block) => {
      const { definitions, warnings } = parseFlagsFile(block, 'flags.yaml');
      expect(definitions.features.length).toBeGreaterThan(0);
      expect(warnings).toEqual([]);
    },
  );
});
