// Segments, strategy variants, dependencies and feature variants configured through the admin API of a real
// unleash-server: flagwise (unleashSource + core engine) and unleash-client 6.12.2, both polling that server,
// must give the same answer for every flag and context.
import { createFlags, type FlagContext, type FlagsClient } from '@flagwise/core';
import { type Context, InMemStorageProvider, Unleash } from 'unleash-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, harness, harnessSource, uniquePrefix, waitUntil } from './harness.js';

const h = harness();
const admin = new AdminApi(h);
const prefix = uniquePrefix('parity');
const APP = 'flagwise-parity';
const name = (suffix: string) => `${prefix}${suffix}`;

const FLAGS = {
  segmentVariants: name('segment-variants'),
  rollout: name('rollout'),
  parent: name('parent'),
  parentOff: name('parent-off'),
  childVariant: name('child-variant'),
  childOfOff: name('child-of-off'),
  multi: name('multi'),
  featureVariants: name('feature-variants'),
  off: name('off'),
};

async function configureServerFlags(): Promise<void> {
  await admin.createContextField('country');
  const staff = await admin.createSegment(name('staff'), [
    { contextName: 'email', operator: 'STR_ENDS_WITH', values: ['@example.com'], caseInsensitive: true },
  ]);
  const beta = await admin.createSegment(name('beta'), [
    { contextName: 'userId', operator: 'IN', values: ['u1', 'u2', 'u3', 'u5', 'u8', 'u13', 'u21', 'u34'] },
  ]);

  await admin.createFlag(FLAGS.segmentVariants, { impressionData: true });
  await admin.addStrategy(FLAGS.segmentVariants, {
    name: 'flexibleRollout',
    parameters: { rollout: '100', stickiness: 'default', groupId: FLAGS.segmentVariants },
    segments: [staff],
    variants: [
      {
        name: 'blue',
        weight: 500,
        weightType: 'variable',
        stickiness: 'default',
        payload: { type: 'json', value: '{"c":"blue"}' },
      },
      {
        name: 'green',
        weight: 500,
        weightType: 'variable',
        stickiness: 'default',
        payload: { type: 'string', value: 'green' },
      },
    ],
  });
  await admin.addStrategy(FLAGS.segmentVariants, { name: 'default', segments: [beta] });
  await admin.setEnabled(FLAGS.segmentVariants, true);

  await admin.createFlag(FLAGS.rollout, { type: 'experiment' });
  await admin.addStrategy(FLAGS.rollout, {
    name: 'flexibleRollout',
    parameters: { rollout: '50', stickiness: 'userId', groupId: 'checkout' },
    constraints: [{ contextName: 'country', operator: 'IN', values: ['NO', 'SE'] }],
    variants: [
      { name: 'a', weight: 200, weightType: 'fix', stickiness: 'userId' },
      {
        name: 'b',
        weight: 400,
        weightType: 'variable',
        stickiness: 'userId',
        payload: { type: 'number', value: '2' },
      },
      {
        name: 'c',
        weight: 400,
        weightType: 'variable',
        stickiness: 'userId',
        payload: { type: 'csv', value: 'x,y' },
      },
    ],
  });
  await admin.setEnabled(FLAGS.rollout, true);

  await admin.createFlag(FLAGS.parent);
  await admin.addStrategy(FLAGS.parent, {
    name: 'flexibleRollout',
    parameters: { rollout: '70', stickiness: 'default', groupId: FLAGS.parent },
    variants: [
      { name: 'slate', weight: 500, weightType: 'variable', stickiness: 'default' },
      { name: 'ocean', weight: 500, weightType: 'variable', stickiness: 'default' },
    ],
  });
  await admin.setEnabled(FLAGS.parent, true);
  await admin.createFlag(FLAGS.parentOff);
  await admin.addStrategy(FLAGS.parentOff, { name: 'default' });

  await admin.createFlag(FLAGS.childVariant);
  await admin.addStrategy(FLAGS.childVariant, {
    name: 'flexibleRollout',
    parameters: { rollout: '100', stickiness: 'default', groupId: FLAGS.childVariant },
  });
  await admin.addDependency(FLAGS.childVariant, FLAGS.parent, { enabled: true, variants: ['slate'] });
  await admin.setEnabled(FLAGS.childVariant, true);

  await admin.createFlag(FLAGS.childOfOff);
  await admin.addStrategy(FLAGS.childOfOff, {
    name: 'flexibleRollout',
    parameters: { rollout: '100', stickiness: 'default', groupId: FLAGS.childOfOff },
  });
  await admin.addDependency(FLAGS.childOfOff, FLAGS.parentOff, { enabled: false });
  await admin.setEnabled(FLAGS.childOfOff, true);

  await admin.createFlag(FLAGS.multi);
  // Unleash 7 only offers default and flexibleRollout for new strategies; ids go in a constraint.
  await admin.addStrategy(FLAGS.multi, {
    name: 'default',
    constraints: [{ contextName: 'userId', operator: 'IN', values: ['u7', 'u11', 'u40'] }],
  });
  await admin.addStrategy(FLAGS.multi, {
    name: 'flexibleRollout',
    parameters: { rollout: '30', stickiness: 'sessionId', groupId: FLAGS.multi },
    constraints: [
      { contextName: 'appVersion', operator: 'SEMVER_GT', value: '1.9.9' },
      { contextName: 'plan', operator: 'IN', values: ['PRO'], caseInsensitive: true },
      { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2020-01-01T00:00:00.000Z' },
    ],
  });
  await admin.setEnabled(FLAGS.multi, true);

  await admin.createFlag(FLAGS.featureVariants, { type: 'experiment' });
  await admin.addStrategy(FLAGS.featureVariants, {
    name: 'flexibleRollout',
    parameters: { rollout: '100', stickiness: 'default', groupId: FLAGS.featureVariants },
  });
  await admin.setFeatureVariants(FLAGS.featureVariants, [
    {
      name: 'one',
      weight: 500,
      weightType: 'variable',
      stickiness: 'default',
      payload: { type: 'string', value: '1' },
    },
    { name: 'two', weight: 500, weightType: 'variable', stickiness: 'default' },
  ]);
  await admin.setEnabled(FLAGS.featureVariants, true);

  await admin.createFlag(FLAGS.off);
  await admin.addStrategy(FLAGS.off, { name: 'default' });
}

/** Many contexts, each with a userId or a sessionId so that no answer is random. */
function contexts(): FlagContext[] {
  const list: FlagContext[] = [];
  const countries = ['NO', 'SE', 'US', 'no'];
  for (let i = 0; i < 80; i += 1) {
    const context: FlagContext = {
      userId: `u${i}`,
      properties: { country: countries[i % countries.length] },
    };
    if (i % 3 === 0) context.sessionId = `s${i * 7}`;
    if (i % 5 === 0) context.properties = { ...context.properties, email: `person${i}@EXAMPLE.com` };
    if (i % 4 === 1) context.properties = { ...context.properties, plan: i % 8 === 1 ? 'pro' : 'free' };
    if (i % 2 === 0)
      context.properties = { ...context.properties, appVersion: i % 6 === 0 ? '2.1.0' : '1.9.9' };
    list.push(context);
  }
  for (let i = 0; i < 30; i += 1) {
    list.push({ sessionId: `only-session-${i}`, properties: { plan: 'PRO', appVersion: '3.0.0' } });
  }
  return list;
}

describe('flagwise and unleash-client agree on what the real server serves', () => {
  let flags: FlagsClient;
  let reference: Unleash;

  beforeAll(async () => {
    await configureServerFlags();
    const source = harnessSource(h, { appName: APP, namePrefix: prefix });
    flags = createFlags({ source, appName: APP, environment: 'default' });
    reference = new Unleash({
      url: h.apiUrl,
      appName: APP,
      namePrefix: prefix,
      refreshInterval: 500,
      disableMetrics: true,
      customHeaders: { Authorization: h.clientToken },
      storageProvider: new InMemStorageProvider(),
      skipInstanceCountWarning: true,
    });
    reference.on('error', () => {});
    await flags.ready({ timeoutMs: 10_000 });
    // Both must have seen the complete set: the server publishes admin changes within about a second.
    const complete = (names: string[]) => Object.values(FLAGS).every((flag) => names.includes(flag));
    await waitUntil(
      () => complete(flags.names()) && complete(reference.getFeatureToggleDefinitions().map((f) => f.name)),
      'both clients to see every flag',
      10_000,
    );
  });

  afterAll(async () => {
    await flags?.close();
    reference?.destroy();
    await admin.archive(Object.values(FLAGS));
  });

  it('receives segments and dependencies as the server sends them, not inlined', () => {
    const definitions = flags.source.current();
    const served = definitions?.features.find((feature) => feature.name === FLAGS.segmentVariants);
    expect(served?.strategies?.map((strategy) => strategy.segments?.length)).toEqual([1, 1]);
    expect(served?.impressionData).toBe(true);
    const segmentIds = served?.strategies?.flatMap((strategy) => strategy.segments ?? []) ?? [];
    for (const id of segmentIds)
      expect(definitions?.segments?.some((segment) => segment.id === id)).toBe(true);
    const child = definitions?.features.find((feature) => feature.name === FLAGS.childVariant);
    expect(child?.dependencies).toEqual([{ feature: FLAGS.parent, enabled: true, variants: ['slate'] }]);
    expect(served?.strategies?.[0]?.variants?.map((variant) => variant.name)).toEqual(['blue', 'green']);
  });

  const allContexts = contexts();
  it.each(Object.entries(FLAGS))('%s: same isEnabled and getVariant for every context', (_key, flag) => {
    const mismatches: string[] = [];
    let enabledCount = 0;
    for (const context of allContexts) {
      const ours = flags.isEnabled(flag, context);
      const theirs = reference.isEnabled(flag, context as Context);
      if (ours) enabledCount += 1;
      if (ours !== theirs) mismatches.push(`isEnabled ${JSON.stringify(context)}: ${ours} vs ${theirs}`);
      const ourVariant = flags.getVariant(flag, context);
      const theirVariant = reference.getVariant(flag, context as Context);
      const pick = (v: { name: string; enabled: boolean; feature_enabled?: boolean; payload?: unknown }) =>
        JSON.stringify({
          name: v.name,
          enabled: v.enabled,
          feature_enabled: v.feature_enabled,
          payload: v.payload,
        });
      if (pick(ourVariant) !== pick(theirVariant)) {
        mismatches.push(
          `getVariant ${JSON.stringify(context)}: ${pick(ourVariant)} vs ${pick(theirVariant)}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
    // The comparison only means something if each flag behaves as configured: mixed where a rollout,
    // a segment or a dependency decides, all off or all on where nothing can.
    if (flag === FLAGS.off || flag === FLAGS.parentOff) expect(enabledCount).toBe(0);
    else if (flag === FLAGS.childOfOff || flag === FLAGS.featureVariants)
      expect(enabledCount).toBe(allContexts.length);
    else {
      expect(enabledCount).toBeGreaterThan(0);
      expect(enabledCount).toBeLessThan(allContexts.length);
    }
  });
});
