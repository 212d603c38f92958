// The Nest conformance rows claim Nest 10, 11 and 12: check that each row's app and its copy of the adapter
// really load that major, and that the copy is the current packages/nestjs source.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMajor, majors } from '../conformance/rows/nest.js';

it('has a row for each supported major', () => {
  expect(majors.map((nest) => nest.major)).toEqual([10, 11, 12]);
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
