// What each tarball says to the tools that read it: publint (package.json against the files it ships) and Are
// the Types Wrong (every entry point's types and JavaScript under node10, node16 from CJS and from ESM, and
// bundler) report nothing; each tarball holds the LICENSE, ships built files and not its TypeScript sources,
// and takes its flagwise siblings by a caret range so that one install dedupes them.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, it } from 'vitest';
import { packedApp } from './packed-app.js';
import { root } from './workspace.js';

const app = packedApp();
const run = promisify(execFile);
const attw = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json')),
  'dist',
  'index.js',
);

async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  return stdout.trim().split('\n');
}

function installedManifest(name: string): Record<string, any> {
  return JSON.parse(
    readFileSync(path.join(app.dir, 'node_modules', ...name.split('/'), 'package.json'), 'utf8'),
  );
}

describe.each(app.packages.map((pkg) => [pkg.name, pkg] as const))('%s tarball', (_name, pkg) => {
  it('passes publint, suggestions included', async () => {
    const tarball = readFileSync(pkg.tarball);
    const result = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: 'suggestion',
      strict: true,
    });
    expect(
      result.messages.map(
        (message) => `${message.code}: ${formatMessage(message, result.pkg, { color: false })}`,
      ),
    ).toEqual([]);
  });

  it('passes Are the Types Wrong for every entry point under every resolver', async () => {
    // Into a file: attw exits before a piped stdout drains, which cuts a long report short.
    const reportFile = path.join(app.dir, `${path.basename(pkg.tarball)}.attw.json`);
    const out = openSync(reportFile, 'w');
    try {
      // --no-definitely-typed: flagwise ships its own types, there is no @types package to fetch
      const child = spawn(
        process.execPath,
        [attw, pkg.tarball, '--format', 'json', '--profile', 'strict', '--no-definitely-typed'],
        { stdio: ['ignore', out, 'inherit'] },
      );
      await once(child, 'exit');
    } finally {
      closeSync(out);
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const problems = Object.values<any[]>(report.problems ?? {})
      .flat()
      .map((problem) => `${problem.kind} ${problem.entrypoint ?? ''} ${problem.resolutionKind ?? ''}`.trim());
    expect(problems).toEqual([]);
    // a package with only a bin has no types to check; every other one ships them
    expect(report.analysis.types === false).toBe(!pkg.library);
  });

  it('holds the repository LICENSE, and its changelog and README', async () => {
    const files = await tarballFiles(pkg.tarball);
    expect(files).toEqual(
      expect.arrayContaining(['package/LICENSE', 'package/CHANGELOG.md', 'package/README.md']),
    );
    expect(readFileSync(path.join(pkg.dir, 'LICENSE'), 'utf8')).toBe(
      readFileSync(path.join(root, 'LICENSE'), 'utf8'),
    );
  });

  // @flagwise/nestjs keeps src/ in `files`: test/nest10 and test/nest11 hold pnpm-injected copies of it (pnpm
  // copies exactly a package's `files`), whose exports point at src/ in the repository.
  it.skipIf(pkg.name === '@flagwise/nestjs')(
    'ships built files only: no TypeScript sources, no tests',
    async () => {
      const files = await tarballFiles(pkg.tarball);
      expect(files.filter((file) => /^package\/(src|test|type-tests)\//.test(file))).toEqual([]);
    },
  );

  it('takes its flagwise siblings by a caret range on their version', () => {
    const manifest = installedManifest(pkg.name);
    const siblings = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const [name, range] of Object.entries(siblings)) {
      if (!name.startsWith('@flagwise/')) continue;
      const sibling = app.packages.find((other) => other.name === name)!;
      expect(`${name}@${range}`).toBe(`${name}@^${sibling.version}`);
    }
  });
});

it('keeps TypeScript out of run-time dependencies but for the command line, whose `flagwise refs` parses sources with it', () => {
  const needTypeScript = app.packages
    .filter((pkg) => installedManifest(pkg.name).dependencies?.typescript !== undefined)
    .map((pkg) => pkg.name);
  expect(needTypeScript).toEqual(['@flagwise/cli']);
});

it('versions every package together, in one fixed changesets group', () => {
  expect(new Set(app.packages.map((pkg) => pkg.version)).size).toBe(1);
  const changesets = JSON.parse(readFileSync(path.join(root, '.changeset', 'config.json'), 'utf8'));
  expect(changesets.fixed).toEqual([app.packages.map((pkg) => pkg.name).sort()]);
});
