import { describe, expect, it } from 'vitest';
import { familyOf, isCurrent, isPeer, type Manifest, moveToLatest, pinnedPeers } from './versions.js';

function manifests(): Manifest[] {
  return [
    {
      file: 'test/package.json',
      json: {
        name: '@flagwise/test',
        private: true,
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
      json: { name: '@flagwise/test-nest10', private: true, dependencies: { '@nestjs/core': '10.4.22' } },
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
    {
      file: 'packages/unleash/package.json',
      json: { name: '@flagwise/unleash', dependencies: { 'unleash-client': '6.12.1', yaml: '^2.0.0' } },
    },
  ];
}

describe('pinnedPeers', () => {
  it('finds the peers the manifests pin, through npm aliases too, and nothing else', () => {
    expect(pinnedPeers(manifests())).toEqual(['@nestjs/core', 'express', 'unleash-client']);
    expect(isPeer('@nestjs/platform-fastify')).toBe(true);
    expect(isPeer('@openfeature/web-sdk')).toBe(true);
    expect(isPeer('@openfeature/ofrep-core')).toBe(false);
    expect(isPeer('supertest')).toBe(false);
    expect([familyOf('@nestjs/testing'), familyOf('express')]).toEqual(['@nestjs', 'express']);
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
    expect(all[2].json.peerDependencies?.express).toBe('^4 || ^5');
    expect(plan).toEqual({
      name: 'express',
      latest: '5.4.1',
      replaced: ['5.3.0'],
      notAllowedBy: [],
      folders: ['packages/express', 'test'],
    });
    expect(isCurrent(plan)).toBe(false);
  });

  it('moves a new major into the newest row and widens the declared range that leaves it out', () => {
    const all = manifests();
    const [plan] = moveToLatest(all, { '@nestjs/core': '12.6.3' });
    expect(all[0].json.devDependencies?.['@nestjs/core']).toBe('12.6.3');
    expect(all[1].json.dependencies?.['@nestjs/core']).toBe('10.4.22');
    expect(all[3].json.peerDependencies?.['@nestjs/core']).toBe('^10.0.0 || ^11.0.0 || 12.6.3');
    expect(plan.replaced).toEqual(['11.2.10']);
    expect(plan.notAllowedBy).toEqual(['@flagwise/nestjs peer ^10.0.0 || ^11.0.0']);
  });

  it("says when a published package's pinned dependency leaves the release out, and moves the pin", () => {
    const all = manifests();
    const [plan] = moveToLatest(all, { 'unleash-client': '6.12.2' });
    expect(plan.notAllowedBy).toEqual(['@flagwise/unleash depends on 6.12.1']);
    expect(all[4].json.dependencies).toEqual({ 'unleash-client': '6.12.2', yaml: '^2.0.0' });
    expect(all[0].json.dependencies).toEqual({ '@flagwise/core': 'workspace:*' });
    expect(all[0].json.devDependencies?.supertest).toBe('7.3.2');
  });

  it('knows a release the suites already run', () => {
    const [plan] = moveToLatest(manifests(), { express: '5.3.0' });
    expect(isCurrent(plan)).toBe(true);
  });
});
