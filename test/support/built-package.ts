// A package built with its own tsup config into a scratch folder, and scripts run against the build with Node
// (ESM or CommonJS, by the file's ending). @flagwise/core is loaded from source through tsx (test/packed covers
// the tarballs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'tsup';
import { build } from 'tsup';
import { afterAll, beforeAll } from 'vitest';

/**
 * Builds the package in `packageDir` before the file's tests (its `src/index.ts` into `<scratch>/dist`) and
 * removes the scratch folder after them; returns a function that writes a script into the scratch folder, runs
 * it and parses the JSON it prints.
 * @example const run = builtPackage(packageDir, 'exports', tsupConfig); run('check.cjs', `console.log('1')`);
 */
export function builtPackage(
  packageDir: string,
  name: string,
  tsupConfig: unknown,
): (file: string, source: string) => any {
  const scratch = path.join(packageDir, '.tmp', `${name}-${process.pid}`);

  beforeAll(async () => {
    mkdirSync(scratch, { recursive: true });
    // What tsup does from the package's folder: dependencies and peers stay imports.
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    await build({
      ...(tsupConfig as Options),
      config: false,
      external: [
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ],
      entry: [path.join(packageDir, 'src/index.ts')],
      outDir: path.join(scratch, 'dist'),
      dts: false,
      sourcemap: false,
      silent: true,
    });
  }, 60_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  return (file, source) => {
    writeFileSync(path.join(scratch, file), source);
    return JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: scratch, encoding: 'utf8' }),
    );
  };
}
