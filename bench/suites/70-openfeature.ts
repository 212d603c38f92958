// OpenFeature: one boolean evaluation through OpenFeature's server SDK on FlagwiseProvider, beside the same flag
// through OpenFeature's own InMemoryProvider (a context evaluator written by hand for the same rule), beside
// flagwise's own isEnabled, all in one process and run. Samples of the sides are interleaved so that noise from
// other work on the machine hits them alike; every figure is a median.
import { createFlags, type FeatureDefinition, memorySource } from '@flagwise/core';
import { FlagwiseProvider } from '@flagwise/openfeature';
import { type EvaluationContext, InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import type { BenchSection } from '../run.js';

const ROUNDS = 15;
const BATCH = 20_000;

const FLAG: FeatureDefinition = {
  name: 'new-pricing',
  enabled: true,
  strategies: [
    {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'default', groupId: 'new-pricing' },
      constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro', 'enterprise'] }],
    },
  ],
  variants: [],
};

const PLANS = ['basic', 'pro', 'enterprise'];
const openFeatureContexts: EvaluationContext[] = Array.from({ length: 1024 }, (_, i) => ({
  targetingKey: `user-${i}`,
  plan: PLANS[i % 3],
}));
const flagwiseContexts = openFeatureContexts.map((context) => ({
  userId: context.targetingKey,
  properties: { plan: context.plan as string },
}));

type Side = (n: number) => Promise<number> | number;

/** 3 significant digits, without an exponent */
function ratio(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export default async function openFeatureBench(): Promise<BenchSection> {
  const flags = createFlags({ source: memorySource({ version: 2, features: [FLAG] }) });
  await flags.ready();
  const provider = new FlagwiseProvider(flags);
  await OpenFeature.setProviderAndWait('flagwise', provider);
  await OpenFeature.setProviderAndWait(
    'in-memory',
    new InMemoryProvider({
      'new-pricing': {
        disabled: false,
        variants: { on: true, off: false },
        defaultVariant: 'off',
        contextEvaluator: (context) =>
          context.plan === 'pro' || context.plan === 'enterprise' ? 'on' : 'off',
      },
    }),
  );
  const viaFlagwise = OpenFeature.getClient('flagwise');
  const viaInMemory = OpenFeature.getClient('in-memory');

  const sides: Record<string, Side> = {
    'flagwise `isEnabled`': (n) => {
      let on = 0;
      for (let i = 0; i < n; i++) if (flags.isEnabled('new-pricing', flagwiseContexts[i & 1023])) on++;
      return on;
    },
    'FlagwiseProvider `resolveBooleanEvaluation` (no SDK)': async (n) => {
      let on = 0;
      for (let i = 0; i < n; i++) {
        const details = await provider.resolveBooleanEvaluation(
          'new-pricing',
          false,
          openFeatureContexts[i & 1023],
        );
        if (details.value) on++;
      }
      return on;
    },
    'OpenFeature `getBooleanValue` on FlagwiseProvider': async (n) => {
      let on = 0;
      for (let i = 0; i < n; i++)
        if (await viaFlagwise.getBooleanValue('new-pricing', false, openFeatureContexts[i & 1023])) on++;
      return on;
    },
    'OpenFeature `getBooleanValue` on InMemoryProvider': async (n) => {
      let on = 0;
      for (let i = 0; i < n; i++)
        if (await viaInMemory.getBooleanValue('new-pricing', false, openFeatureContexts[i & 1023])) on++;
      return on;
    },
  };

  const names = Object.keys(sides);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  const answers = new Map<string, number>();
  for (const name of names) answers.set(name, await sides[name](BATCH)); // warm up, and the answers to compare
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const start = process.hrtime.bigint();
      await sides[name](BATCH);
      samples.get(name)!.push(Number(process.hrtime.bigint() - start) / BATCH);
    }
  }
  await OpenFeature.close();
  await flags.close();

  const ns = new Map(names.map((name) => [name, median(samples.get(name)!)]));
  const own = ns.get(names[0])!;
  const inMemory = ns.get(names[3])!;
  const rows = names.map(
    (name) =>
      `| ${name} | ${ns.get(name)!.toFixed(0)} | ${ratio(ns.get(name)! / own)}× | ${ratio(ns.get(name)! / inMemory)}× |`,
  );
  const agree = new Set(answers.values()).size === 1;
  return {
    title: 'OpenFeature: a boolean evaluation through FlagwiseProvider',
    markdown: [
      '| evaluation | ns per call | vs flagwise `isEnabled` | vs OpenFeature on InMemoryProvider |',
      '| --- | ---: | ---: | ---: |',
      ...rows,
      '',
      `One flag (a rollout with an IN constraint on \`plan\`) over 1,024 contexts; each figure is the median of ${ROUNDS}`,
      `interleaved batches of ${BATCH.toLocaleString('en')} awaited calls. The InMemoryProvider row answers the same rule`,
      'with a hand-written context evaluator. Every side turned on the same number of calls in a batch: ' +
        `${agree ? 'yes' : 'NO'}.`,
    ].join('\n'),
  };
}
