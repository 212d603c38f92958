// The installed tarballs at run time: imported from ESM and required from CJS with the source's exports, and the
// bin run from node_modules/.bin.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packedApp } from './packed-app.js';

const app = packedApp();

function exportNames(source: string, type: 'module' | 'commonjs'): string[] {
  const file = path.join(app.dir, type === 'module' ? 'check.mjs' : 'check.cjs');
  writeFileSync(file, source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: app.dir, encoding: 'utf8' }));
}

describe.each(app.packages.filter((p) => p.library).map((p) => [p.name] as const))('%s (packed)', (name) => {
  it('ships dist with ESM, CJS and type declarations, and points no export at the TypeScript source', () => {
    const installed = path.join(app.dir, 'node_modules', ...name.split('/'));
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(JSON.stringify(manifest.exports)).not.toContain('src/');
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
      expect(existsSync(path.join(installed, file)), file).toBe(true);
    }
  });

  it('imports from ESM and requires from CJS with the same exports as the source', async () => {
    const fromSource = Object.keys(await import(name)).sort();
    const esm = exportNames(
      `import * as m from '${name}'; console.log(JSON.stringify(Object.keys(m).sort()));`,
      'module',
    );
    const cjs = exportNames(
      `console.log(JSON.stringify(Object.keys(require('${name}')).sort()));`,
      'commonjs',
    );
    expect(esm).toEqual(fromSource);
    expect(cjs.filter((key) => key !== 'default' && key !== '__esModule')).toEqual(
      fromSource.filter((key) => key !== 'default'),
    );
  });
});

describe.each(
  app.packages.filter((p) => Object.keys(p.manifest.bin ?? {}).length > 0).map((p) => [p.name, p] as const),
)('%s bin (packed)', (_name, pkg) => {
  it.each(Object.keys(pkg.manifest.bin))('runs `%s --version` from the installed tarball', (bin) => {
    const output = execFileSync(path.join(app.dir, 'node_modules', '.bin', bin), ['--version'], {
      cwd: app.dir,
      encoding: 'utf8',
    });
    expect(output.trim()).toBe(pkg.version);
  });
});
