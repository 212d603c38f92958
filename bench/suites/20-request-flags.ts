// Per-request cost: make the lazy per-request object and read 3 flags, with 10 and with 10,000 flags defined.
// Laziness is what keeps the two equal: nothing is done for flags a request never reads.
import { createFlags, type FeatureDefinition, memorySource } from '@flagwise/core';
import type { BenchSection } from '../run.js';

function rollout(name: string, percent: number): FeatureDefinition {
  return {
    name,
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: String(percent), stickiness: 'default', groupId: name },
        constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro', 'enterprise'] }],
      },
    ],
    variants: [],
  };
}

function definitions(count: number) {
  const features = Array.from({ length: count }, (_, i) => rollout(`flag-${i}`, (i * 7) % 100));
  features.push(rollout('new-pricing', 50), rollout('dark-mode', 100), rollout('checkout-copy', 10));
  return { version: 2, features };
}

const contexts = Array.from({ length: 1024 }, (_, i) => ({
  userId: `user-${i}`,
  properties: { plan: i % 3 === 0 ? 'basic' : 'pro' },
}));

/** ns per (create + 3 reads), median of `rounds` timed batches. */
function measure(count: number, rounds = 15, batch = 200_000): number {
  const client = createFlags({ source: memorySource(definitions(count)) });
  let sink = 0;
  const once = (n: number) => {
    for (let i = 0; i < n; i++) {
      const flags = client.forContext(contexts[i & 1023]);
      if (flags.newPricing) sink++;
      if (flags.darkMode) sink++;
      if (flags.checkoutCopy) sink++;
    }
  };
  once(batch); // warm up: JIT and the snapshot
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    once(batch);
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  void client.close();
  if (sink === -1) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export default async function requestFlagsBench(): Promise<BenchSection> {
  // Interleave the two sizes so drift on a shared machine hits both alike.
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < 3; i++) {
    small.push(measure(10, 5));
    large.push(measure(10_000, 5));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const s = median(small);
  const l = median(large);
  const ratio = l / s;
  return {
    title: 'Per-request flags: create `req.flags` and read 3 flags',
    markdown: [
      '| flags defined | ns per request (create + 3 reads) |',
      '| ---: | ---: |',
      `| 10 | ${s.toFixed(0)} |`,
      `| 10,000 | ${l.toFixed(0)} |`,
      '',
      `10,000 vs 10 flags: ${ratio.toFixed(2)}× (each figure is the median of 3 interleaved runs of 5 batches of 200,000).`,
      'Each read is a flexibleRollout with an IN constraint, evaluated on first read and memoized for the request.',
    ].join('\n'),
    targets: [
      { label: `10 flags: ≤ 1 µs per request (${s.toFixed(0)} ns)`, met: s <= 1000 },
      { label: `10,000 flags: ≤ 1 µs per request (${l.toFixed(0)} ns)`, met: l <= 1000 },
      {
        label: `within 20% of each other (${((ratio - 1) * 100).toFixed(1)}%)`,
        met: Math.abs(ratio - 1) <= 0.2,
      },
    ],
  };
}
