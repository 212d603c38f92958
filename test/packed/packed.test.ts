// What users install: every publishable package packed the way `pnpm publish` packs it (publishConfig applied),
// installed from the tarballs into a scratch project, then imported from ESM and from CJS and type-checked.
// Run after `pnpm build` by `pnpm test:packed` (part of .ci/run); it needs the npm registry for dependencies.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const packagesDir = path.join(root, 'packages');

interface Pkg {
  dir: string;
  name: string;
  peerDependencies: Record<string, string>;
  /** a package with only a `bin` (the command line) has nothing to import */
  library: boolean;
  bin: Record<string, string>;
}

const allPackages: Pkg[] = readdirSync(packagesDir)
  .map((dir) => path.join(packagesDir, dir))
  .filter((dir) => existsSync(path.join(dir, 'package.json')))
  .map((dir) => {
    const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return {
      dir,
      name: json.name,
      peerDependencies: json.peerDependencies ?? {},
      library: json.exports !== undefined,
      bin: json.bin ?? {},
    };
  });
const packages = allPackages.filter((pkg) => pkg.library);

// A peer range's first major, e.g. '^4 || ^5' → '^4'... we install the newest the range allows.
function newestOf(range: string): string {
  return range
    .split('||')
    .map((r) => r.trim())
    .at(-1)!;
}

let project: string;

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'flagwise-packed-'));
  const packs = path.join(project, 'packs');
  mkdirSync(packs);
  const tarballs: Record<string, string> = {};
  for (const pkg of allPackages) {
    if (!existsSync(path.join(pkg.dir, 'dist'))) {
      execFileSync('pnpm', ['build'], { cwd: pkg.dir, stdio: 'pipe' });
    }
    const out = execFileSync('pnpm', ['pack', '--pack-destination', packs], {
      cwd: pkg.dir,
      encoding: 'utf8',
    });
    const tarball = out.trim().split('\n').at(-1)!.trim();
    tarballs[pkg.name] =
      `file:${path.isAbsolute(tarball) ? tarball : path.join(packs, path.basename(tarball))}`;
  }
  const peers: Record<string, string> = {};
  for (const pkg of packages) {
    for (const [name, range] of Object.entries(pkg.peerDependencies)) {
      if (!name.startsWith('@flagwise/')) peers[name] = newestOf(range);
    }
  }
  // Local tarballs of one another: tell npm to take @flagwise/* from them, not from the registry.
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify(
      { name: 'packed-check', private: true, dependencies: { ...tarballs, ...peers }, overrides: tarballs },
      null,
      2,
    ),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: project,
    stdio: 'pipe',
    timeout: 240_000,
  });
}, 300_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function exportNames(source: string, type: 'module' | 'commonjs'): string[] {
  const file = path.join(project, type === 'module' ? 'check.mjs' : 'check.cjs');
  writeFileSync(file, source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }));
}

describe.each(packages.map((p) => [p.name, p] as const))('%s (packed)', (name) => {
  it('ships dist with ESM, CJS and type declarations, and points no export at the TypeScript source', () => {
    const installed = path.join(project, 'node_modules', ...name.split('/'));
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

describe.each(allPackages.filter((p) => Object.keys(p.bin).length > 0).map((p) => [p.name, p] as const))(
  '%s bin (packed)',
  (_name, pkg) => {
    it.each(Object.keys(pkg.bin))('runs `%s --version` from the installed tarball', (bin) => {
      const version = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')).version;
      const output = execFileSync(path.join(project, 'node_modules', '.bin', bin), ['--version'], {
        cwd: project,
        encoding: 'utf8',
      });
      expect(output.trim()).toBe(version);
    });
  },
);

// One program per format: a real project compiles as ESM or as CJS, not both at once.
it.each(['mts', 'cts'])('type-checks a consumer.%s under NodeNext', (extension) => {
  const imports = packages.map((p, i) => `import * as p${i} from '${p.name}';\nvoid p${i};`).join('\n');
  const consumer = `consumer.${extension}`;
  writeFileSync(path.join(project, consumer), imports);
  const tsconfig = `tsconfig.${extension}.json`;
  writeFileSync(
    path.join(project, tsconfig),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: [consumer],
    }),
  );
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', tsconfig], { cwd: project, encoding: 'utf8' });
  } catch (error: any) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
  // Type errors inside third-party declarations are not ours to judge; errors in ours are.
  const ours = output
    .split('\n')
    .filter((line) => line.includes('@flagwise/') || line.startsWith('consumer.'));
  expect(ours).toEqual([]);
});
