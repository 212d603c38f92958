// What users install: every package packed the way `pnpm publish` packs it (publishConfig applied, workspace
// ranges replaced), installed with npm from the tarballs into a scratch app together with what the README
// snippets import, once for the whole suite. Needs `pnpm build` first and the npm registry for third-party
// packages. The scratch app is removed afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { consumerSnippets, thirdPartyImports } from './readme-consumer.js';
import { type PackedPackage, root, workspacePackages } from './workspace.js';

/** Versions the repository does not test with elsewhere, each with its reason. */
const OWN_VERSIONS: Record<string, string> = {
  // @ladjs/koa-views 9 (in the Koa README) declares @types/koa ^2 as its peer; an app with both takes 2.x
  '@types/koa': '^2.15.0',
  // the Nest README's forRootAsync snippet: 4.x is the CommonJS release for Nest 10 and 11 (12.x is ESM only)
  '@nestjs/config': '4.0.4',
  // the Nest README's GraphQL resolver: the release for Nest 11, as the Nest 11 conformance rows test it
  '@nestjs/graphql': '13.4.2',
};

/** The version of `name` the repository's own tests use (test/, the root, then the packages). */
function versionOf(name: string): string | undefined {
  if (OWN_VERSIONS[name]) return OWN_VERSIONS[name];
  const manifests = [
    path.join(root, 'test', 'package.json'),
    path.join(root, 'package.json'),
    ...workspacePackages().map((pkg) => path.join(pkg.dir, 'package.json')),
  ].map((file) => JSON.parse(readFileSync(file, 'utf8')));
  for (const manifest of manifests) {
    const version = manifest.devDependencies?.[name] ?? manifest.dependencies?.[name];
    if (version && !version.startsWith('workspace:') && !version.startsWith('npm:')) return version;
  }
  return undefined;
}

function pack(dir: string, destination: string): string {
  const out = execFileSync('pnpm', ['pack', '--pack-destination', destination], {
    cwd: dir,
    encoding: 'utf8',
  });
  const tarball = out.trim().split('\n').at(-1)!.trim();
  return path.isAbsolute(tarball) ? tarball : path.join(destination, path.basename(tarball));
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'flagwise-packed-'));
  const packs = path.join(dir, 'packs');
  mkdirSync(packs);
  const packages: PackedPackage[] = workspacePackages().map((pkg) => {
    if (!existsSync(path.join(pkg.dir, 'dist')))
      execFileSync('pnpm', ['build'], { cwd: pkg.dir, stdio: 'pipe' });
    return { ...pkg, tarball: pack(pkg.dir, packs) };
  });

  const thirdParty = new Set([
    ...packages.flatMap((pkg) => Object.keys(pkg.manifest.peerDependencies ?? {})),
    ...thirdPartyImports(consumerSnippets()),
    '@types/node',
  ]);
  for (const name of [...thirdParty]) {
    const types = `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
    if (versionOf(types)) thirdParty.add(types);
  }
  const dependencies: Record<string, string> = {};
  for (const name of [...thirdParty].sort()) {
    const version = versionOf(name);
    if (!version) {
      throw new Error(
        `the packed app needs ${name}: add it to test/package.json or OWN_VERSIONS in test/packed/global-setup.ts`,
      );
    }
    dependencies[name] = version;
  }
  const tarballs = Object.fromEntries(packages.map((pkg) => [pkg.name, `file:${pkg.tarball}`]));
  // Local tarballs of one another: npm takes @flagwise/* from them, not from the registry.
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'packed-app',
        private: true,
        dependencies: { ...tarballs, ...dependencies },
        overrides: tarballs,
      },
      null,
      2,
    ),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: dir,
    stdio: 'pipe',
    timeout: 300_000,
  });
  project.provide('packedApp', { dir, packages });
  return () => rmSync(dir, { recursive: true, force: true });
}
