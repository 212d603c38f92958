import { expect, it } from 'vitest';
import { type Outcome, peerTable } from './report.js';
import { suites } from './suites.js';

const [conformance, packages] = suites(new Set(['@nestjs/core']), false);
const failing = 'test/conformance/conformance.test.ts > nest 11 (express) guards: expected 200 || 404';

function outcome(): Outcome {
  return {
    commit: 'commit 0000000',
    plans: [
      {
        name: '@nestjs/core',
        latest: '12.6.3',
        replaced: ['11.2.10'],
        notAllowedBy: ['@flagwise/nestjs peer ^10.0.0 || ^11.0.0'],
        folders: ['test', 'test/nest11', 'packages/nestjs'],
      },
      { name: 'express', latest: '5.3.0', replaced: ['5.3.0'], notAllowedBy: [], folders: ['test'] },
    ],
    together: [
      {
        suite: conformance,
        run: { status: 'failed', seconds: 60, total: 10, failures: [failing], failedFiles: [] },
      },
      { suite: packages, run: { status: 'passed', seconds: 60, total: 10, failures: [], failedFiles: [] } },
    ],
    alone: new Map([
      [
        '@nestjs',
        [
          {
            suite: conformance,
            run: { status: 'failed', seconds: 9, total: 1, failures: [failing], failedFiles: [] },
          },
        ],
      ],
    ]),
  };
}

it('gives each peer one row of five cells, whatever pipes the ranges and failures hold', () => {
  const rows = peerTable(outcome()).split('\n').slice(2);
  const cells = rows.map((row) =>
    row
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((text) => text.trim()),
  );
  expect(cells).toEqual([
    [
      '@nestjs/core',
      '11.2.10 (3 folders)',
      '12.6.3',
      'no: @flagwise/nestjs peer ^10.0.0 \\|\\| ^11.0.0',
      `**conformance fails**: \`${failing.replaceAll('|', '\\|')}\`; passed packages`,
    ],
    ['express', '5.3.0 (test)', '5.3.0', 'yes', 'no newer release'],
  ]);
});
