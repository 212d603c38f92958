// The Nest conformance rows claim Nest 10 and Nest 11: check that each row's app and its copy of the adapter
// really load that major, and that the copy is the current packages/nestjs source.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMajor } from '../conformance/rows/nest.js';
import { nest as nest10 } from '../nest10/src/index.js';
import { type NestMajor, nest as nest11 } from './src/index.js';

describe.each([
  [10, nest10 as unknown as NestMajor],
  [11, nest11],
])('nest %i row', (major, nest) => {
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
