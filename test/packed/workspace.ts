// The repository's packages and the scratch app global-setup.ts installs their tarballs into. No vitest here:
// global setup runs outside the test workers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkspacePackage {
  /** the package's folder */
  dir: string;
  name: string;
  version: string;
  /** the package.json in the repository (before publishConfig is applied) */
  manifest: Record<string, any>;
  /** a package with only a `bin` (the command line) has nothing to import */
  library: boolean;
}

export interface PackedPackage extends WorkspacePackage {
  /** the .tgz `pnpm pack` made */
  tarball: string;
}

export interface PackedApp {
  /** the scratch app's folder: node_modules with every tarball and what the README snippets import */
  dir: string;
  packages: PackedPackage[];
}

export function workspacePackages(): WorkspacePackage[] {
  const packagesDir = path.join(root, 'packages');
  return readdirSync(packagesDir)
    .map((dir) => path.join(packagesDir, dir))
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      return {
        dir,
        name: manifest.name,
        version: manifest.version,
        manifest,
        library: manifest.exports !== undefined,
      };
    });
}
