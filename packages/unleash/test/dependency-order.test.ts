// Unleash sends flags sorted by name, so a child (`checkout-child`) often comes before its parent
// (`checkout-parent`). Through unleashSource, dependencies must evaluate as unleash-client evaluates the same
// payload, whatever the order.
import { createFlags, type FlagsClient } from '@flagwise/core';
import { InMemStorageProvider, Unleash } from 'unleash-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unleashSource } from '../src/index.js';
import { type LoopbackServer, startLoopbackServer, waitFor } from './helpers/loopback-server.js';

const TOKEN = 'default:development.order-test';
const rollout = (groupId: string, percent: number, variants: string[] = []) => ({
  name: 'flexibleRollout',
  constraints: [],
  parameters: { groupId, rollout: String(percent), stickiness: 'default' },
  variants: variants.map((name) => ({ name, weight: 500, stickiness: 'default', weightType: 'variable' })),
});

// Exactly the order and shape unleash-server 7.5.1 served for these flags.
const payload = {
  version: 2,
  features: [
    {
      name: 'a-child-of-off',
      enabled: true,
      strategies: [rollout('a-child-of-off', 100)],
      variants: [],
      dependencies: [{ feature: 'z-parent-off', enabled: false }],
    },
    {
      name: 'a-child-variant',
      enabled: true,
      strategies: [rollout('a-child-variant', 100)],
      variants: [],
      dependencies: [{ feature: 'z-parent', enabled: true, variants: ['slate'] }],
    },
    {
      name: 'z-parent',
      enabled: true,
      strategies: [rollout('z-parent', 70, ['ocean', 'slate'])],
      variants: [],
    },
    { name: 'z-parent-off', enabled: false, strategies: [rollout('z-parent-off', 100)], variants: [] },
  ],
  segments: [],
};

describe('dependencies on flags listed after their children', () => {
  let server: LoopbackServer;
  let flags: FlagsClient;
  let reference: Unleash;

  beforeAll(async () => {
    server = await startLoopbackServer((request) =>
      request.path.startsWith('/api/client/features') ? { status: 200, body: payload } : { status: 202 },
    );
    const options = { url: `${server.url}/api`, appName: 'order-test', refreshInterval: 60_000 };
    flags = createFlags({
      source: unleashSource({ ...options, apiToken: TOKEN, backupPath: false, metrics: false }),
      appName: 'order-test',
    });
    reference = new Unleash({
      ...options,
      customHeaders: { Authorization: TOKEN },
      disableMetrics: true,
      storageProvider: new InMemStorageProvider(),
      skipInstanceCountWarning: true,
    });
    reference.on('error', () => {});
    await flags.ready({ timeoutMs: 5_000 });
    await waitFor(() => reference.isSynchronized(), 'unleash-client to load the payload');
  });
  afterAll(async () => {
    await flags?.close();
    reference?.destroy();
    await server?.close();
  });

  it.each(['a-child-of-off', 'a-child-variant'])('%s agrees with unleash-client for 200 users', (flag) => {
    const disagreements: string[] = [];
    let on = 0;
    for (let i = 0; i < 200; i += 1) {
      const context = { userId: `user-${i}` };
      const ours = flags.isEnabled(flag, context);
      if (ours) on += 1;
      if (ours !== reference.isEnabled(flag, context)) disagreements.push(context.userId);
    }
    expect(disagreements).toEqual([]);
    expect(on).toBeGreaterThan(0);
  });
});
