import { describe, expect, it } from 'vitest';
import { isPeer, type Manifest, moveToLatest, pinnedPeers } from './versions.js';

function manifests(): Manifest[] {
  return [
    {
      file: 'test/package.json',
      json: {
        name: '@flagwise/test',
        dependencies: { '@flagwise/core': 'workspace:*' },
        devDependencies: {
          express: '5.3.0',
          express4: 'npm:express@4.22.3',
          express5: 'npm:express@5.3.0',
          '@nestjs/core': '11.2.10',
          supertest: '7.3.2',
        },
      },
    },
    {
      file: 'test/nest10/package.json',
      json: { name: '@flagwise/test-nest10', dependencies: { '@nestjs/core': '10.4.22' } },
    },
    {
      file: 'packages/express/package.json',
      json: {
        name: '@flagwise/express',
        peerDependencies: { express: '^4 || ^5' },
        devDependencies: { express: '5.3.0' },
      },
    },
    {
      file: 'packages/nestjs/package.json',
      json: { name: '@flagwise/nestjs', peerDependencies: { '@nestjs/core': '^10.0.0 || ^11.0.0' } },
    },
    { file: 'package.json', json: { devDependencies: { tsx: '^4.20.0', typescript: '5.9.3' } } },
  ];
}

describe('pinnedPeers', () => {
  it('finds the peers the repository pins, through npm aliases too, and nothing else', () => {
    expect(pinnedPeers(manifests())).toEqual(['@nestjs/core', 'express', 'typescript']);
    expect(isPeer('@nestjs/platform-fastify')).toBe(true);
    expect(isPeer('@openfeature/web-sdk')).toBe(true);
    expect(isPeer('@openfeature/ofrep-core')).toBe(false);
    expect(isPeer('supertest')).toBe(false);
  });
});

describe('moveToLatest', () => {
  it("moves every pin of the newest major, aliases included, and leaves the older major's rows", () => {
    const all = manifests();
    const [plan] = moveToLatest(all, { express: '5.4.1' });
    expect(all[0].json.devDependencies).toMatchObject({
      express: '5.4.1',
      express4: 'npm:express@4.22.3',
      express5: 'npm:express@5.4.1',
    });
    expect(all[2].json.devDependencies?.express).toBe('5.4.1');
    expect(plan).toEqual({
      name: 'express',
      latest: '5.4.1',
      replaced: ['5.3.0'],
      outsideRanges: [],
      files: ['packages/express/package.json', 'test/package.json'],
    });
    expect(all[2].json.peerDependencies?.express).toBe('^4 || ^5');
  });

  it('moves a new major into the newest row and widens the declared range that leaves it out', () => {
    const all = manifests();
    const [plan] = moveToLatest(all, { '@nestjs/core': '12.6.3' });
    expect(all[0].json.devDependencies?.['@nestjs/core']).toBe('12.6.3');
    expect(all[1].json.dependencies?.['@nestjs/core']).toBe('10.4.22');
    expect(all[3].json.peerDependencies?.['@nestjs/core']).toBe('^10.0.0 || ^11.0.0 || 12.6.3');
    expect(plan.outsideRanges).toEqual(['@flagwise/nestjs: ^10.0.0 || ^11.0.0']);
    expect(plan.replaced).toEqual(['11.2.10']);
  });

  it('leaves workspace links and other packages alone', () => {
    const all = manifests();
    moveToLatest(all, { typescript: '7.0.2' });
    expect(all[0].json.dependencies).toEqual({ '@flagwise/core': 'workspace:*' });
    expect(all[0].json.devDependencies?.supertest).toBe('7.3.2');
    expect(all[4].json.devDependencies).toEqual({ tsx: '^4.20.0', typescript: '7.0.2' });
  });
});
