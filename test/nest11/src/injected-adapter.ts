// Where pnpm put the injected copy of @flagwise/nestjs for this package, what it resolves, and whether it is
// still the same as packages/nestjs (pnpm hard-links the files; a new or replaced file needs `pnpm install`).
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function injectedAdapter(importMetaUrl: string) {
  const here = path.dirname(fileURLToPath(importMetaUrl));
  const packageRoot = path.resolve(here, '..');
  const copy = realpathSync(path.join(packageRoot, 'node_modules/@flagwise/nestjs'));
  const original = path.resolve(packageRoot, '../../packages/nestjs');
  const requireHere = createRequire(path.join(packageRoot, 'package.json'));
  const requireFromAdapter = createRequire(path.join(copy, 'package.json'));
  return {
    copy,
    versionHere: (name: string): string => requireHere(`${name}/package.json`).version,
    versionFromAdapter: (name: string): string => requireFromAdapter(`${name}/package.json`).version,
    /** source files that differ between packages/nestjs/src and the injected copy */
    staleFiles(): string[] {
      const files = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
      const originalFiles = files(path.join(original, 'src'));
      const copyFiles = files(path.join(copy, 'src'));
      const stale = originalFiles.filter(
        (file) =>
          !copyFiles.includes(file) ||
          (file.endsWith('.ts') &&
            readFileSync(path.join(original, 'src', file), 'utf8') !==
              readFileSync(path.join(copy, 'src', file), 'utf8')),
      );
      return [...stale, ...copyFiles.filter((file) => !originalFiles.includes(file))];
    },
  };
}
