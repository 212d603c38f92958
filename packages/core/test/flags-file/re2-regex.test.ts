// Regexes in flags files are checked with RE2's rules, the rules they are evaluated with: a lookahead (valid
// JavaScript, not RE2) is rejected with the file, line and column of every flag that has one; RE2 syntax that
// JavaScript lacks loads and matches. Real files, read by fileSource.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryPerTest, fileStartFlagsError } from '../../../../test/support/sources.js';
import { createFlags } from '../../src/client/flags-client.js';
import { fileSource } from '../../src/sources/index.js';

const scratch = directoryPerTest();

const startError = (name: string, text: string) => fileStartFlagsError(scratch.dir, name, text);

describe('regexes in a flags file, checked with RE2', () => {
  it('rejects a lookahead in each flag of the short format, one line per flag', async () => {
    const error = await startError(
      'flags.yaml',
      [
        'flags:',
        '  beta:',
        '    when: { email: { regex: "^(?=.*@example)" } }',
        '  everyone-but:',
        '    when: { email: { regex: "(?!x)", inverted: true } }',
        '',
      ].join('\n'),
    );
    const path = join(scratch.dir, 'flags.yaml');
    expect([error.line, error.column]).toEqual([3, 22]);
    expect(error.message).toContain(
      `${path}:3:22: beta.when.email.regex is not a valid RE2 regular expression`,
    );
    expect(error.message).toContain(`${path}:5:22: everyone-but.when.email.regex is not a valid RE2`);
    expect(error.message).toContain('`(?=`');
  });

  it('rejects a lookahead in each flag of Unleash client-features JSON, with its location', async () => {
    const strategy = (pattern: string) => ({
      name: 'default',
      parameters: {},
      constraints: [{ contextName: 'email', operator: 'REGEX', value: pattern, inverted: true }],
    });
    const text = JSON.stringify(
      {
        version: 2,
        features: [
          { name: 'a', enabled: true, strategies: [strategy('^(?=a)')] },
          { name: 'b', enabled: true, strategies: [strategy('(?<!b)c')] },
        ],
      },
      null,
      2,
    );
    const error = await startError('features.json', text);
    expect(error.message).toMatch(
      /features\.json:\d+:\d+: features\[0\]\.strategies\[0\]\.constraints\[0\]\.value is not a valid RE2/,
    );
    expect(error.message).toMatch(
      /features\.json:\d+:\d+: features\[1\]\.strategies\[0\]\.constraints\[0\]\.value is not a valid RE2/,
    );
    expect(error.line).toBe(text.split('\n').findIndex((line) => line.includes('^(?=a)')) + 1);
  });

  it('loads RE2 syntax JavaScript lacks and evaluates it', async () => {
    const path = join(scratch.dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  named:\n    when: { userId: { regex: "^(?P<team>qa)-\\\\d+$" } }\n');
    const client = createFlags({ source: fileSource(path, { watch: false }) });
    await client.ready({ timeoutMs: 2000 });
    expect(client.isEnabled('named', { userId: 'qa-42' })).toBe(true);
    expect(client.isEnabled('named', { userId: 'dev-42' })).toBe(false);
    await client.close();
  });
});
