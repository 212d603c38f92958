// The Nest conformance rows claim Nest 10, 11 and 12: check that each row's app and its copy of the adapter
// really load that major, and that the copy is the current packages/nestjs source.
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMajor, majors } from '../conformance/rows/nest.js';

it('has a row for each supported major', () => {
  expect(majors.map((nest) => nest.major)).toEqual([10, 11, 12]);
});

it("states every peer's range and the versions these rows run in the README's compatibility table", () => {
  const json = (file: string) => JSON.parse(readFileSync(path.resolve(file), 'utf8'));
  const peers: Record<string, string> = json('packages/nestjs/package.json').peerDependencies;
  const readme = readFileSync(path.resolve('packages/nestjs/README.md'), 'utf8');
  const stated: string[] = [];
  for (const line of readme.split('\n').filter((l) => l.startsWith('| `@nestjs/'))) {
    const [names, range, tested] = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    for (const name of [...names.matchAll(/`(@nestjs\/[\w-]+)`/g)].map((match) => match[1])) {
      stated.push(name);
      expect({ name, range: range.replaceAll('\\|', '|').replaceAll('`', '') }).toEqual({
        name,
        range: peers[name],
      });
      for (const nest of majors) {
        const version = json(`test/nest${nest.major}/package.json`).dependencies[name];
        expect({ name, tested }).toEqual({ name, tested: expect.stringContaining(version) });
      }
    }
  }
  expect(stated.sort()).toEqual(Object.keys(peers).sort());
});

describe.each(majors.map((nest) => [nest.major, nest] as const))('nest %i row', (major, nest) => {
  it('runs the app and the adapter copy on that major', () => {
    expect(nest.major).toBe(major);
    expect(nest.coreVersion.split('.')[0]).toBe(String(major));
    expect(nest.adapterCoreVersion).toBe(nest.coreVersion);
    expect(() => checkMajor(nest)).not.toThrow();
  });

  it('gives the adapter copy the very @nestjs/common the app uses (one HttpException class)', () => {
    const app = createRequire(path.resolve(`test/nest${major}/package.json`));
    const adapter = createRequire(path.join(nest.adapter.copy, 'package.json'));
    expect(realpathSync(adapter.resolve('@nestjs/common'))).toBe(realpathSync(app.resolve('@nestjs/common')));
    expect(realpathSync(adapter.resolve('@nestjs/core'))).toBe(realpathSync(app.resolve('@nestjs/core')));
    expect(nest.adapter.copy).not.toBe(path.resolve('packages/nestjs'));
  });

  it('has a copy of the adapter that matches packages/nestjs', () => {
    expect(nest.adapter.staleFiles()).toEqual([]);
  });
});
