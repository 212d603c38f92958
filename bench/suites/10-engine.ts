// Engine: our isEnabled/getVariant against unleash-client 6.12.2's on the same definitions and contexts, in the same
// process and run (unleash-client offline through its `repository` option, metrics disabled); and the time to
// compile 10,000 flags. Samples of the two sides are interleaved so that noise from other work on the machine hits
// both alike; every figure is a median.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import {
  type ClientFeaturesPayload,
  compileFlags,
  type FeatureDefinition,
  type FlagContext,
} from '@flagwise/core';
import { Unleash } from 'unleash-client';
import { hashWithPrefix, prepareHashPrefix } from '../../packages/core/src/engine/murmur.js';
import type { BenchSection } from '../run.js';

// murmurhash3js ships no types; this is the one function unleash-client calls
const murmurHash3 = createRequire(import.meta.url)('murmurhash3js') as {
  x86: { hash32(key: string, seed?: number): number };
};

const STATIC_CONTEXT = { appName: 'bench', environment: 'production' };
const ROUNDS = 15;
/** each timed sample runs about this long */
const SAMPLE_MS = 12;

const FEATURES: FeatureDefinition[] = [
  { name: 'always-on', enabled: true, strategies: [{ name: 'default', parameters: {} }], variants: [] },
  {
    name: 'rollout-10',
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: '10', stickiness: 'default', groupId: 'rollout-10' },
      },
    ],
    variants: [],
  },
  {
    name: 'rollout-two-constraints',
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: '50', stickiness: 'default', groupId: 'rollout-two-constraints' },
        constraints: [
          { contextName: 'plan', operator: 'IN', values: ['pro', 'enterprise'] },
          { contextName: 'country', operator: 'NOT_IN', values: ['KP', 'IR', 'SY'] },
        ],
      },
    ],
    variants: [],
  },
  {
    name: 'four-variants',
    enabled: true,
    strategies: [{ name: 'default', parameters: {} }],
    variants: ['red', 'green', 'blue', 'gold'].map((name, i) => ({
      name,
      weight: [400, 300, 200, 100][i],
      weightType: 'variable',
      stickiness: 'default',
      payload: { type: 'string', value: name },
    })),
  },
];
const PAYLOAD: ClientFeaturesPayload = { version: 2, features: FEATURES, segments: [] };

const CASES = [
  { label: 'always-on flag', flag: 'always-on' },
  { label: '10% flexibleRollout', flag: 'rollout-10' },
  { label: 'rollout with two constraints', flag: 'rollout-two-constraints' },
  { label: 'four weighted variants', flag: 'four-variants' },
  { label: 'unknown flag', flag: 'no-such-flag' },
];

const CONTEXTS: FlagContext[] = Array.from({ length: 256 }, (_, i) => ({
  userId: `user-${i * 7919}`,
  sessionId: `session-${i}`,
  properties: { plan: ['free', 'pro', 'enterprise'][i % 3], country: ['NO', 'SE', 'US', 'KP'][i % 4] },
}));

/** unleash-client with an in-memory repository: no network, no backup file, no metrics. */
async function offlineUnleash(payload: ClientFeaturesPayload): Promise<Unleash> {
  const toggles = new Map(payload.features.map((feature) => [feature.name, feature]));
  const segments = new Map((payload.segments ?? []).map((segment) => [segment.id, segment]));
  const repository = Object.assign(new EventEmitter(), {
    start: async () => {
      repository.emit('ready');
    },
    stop: () => {},
    getToggle: (name: string) => toggles.get(name),
    getToggles: () => [...toggles.values()],
    getTogglesWithSegmentData: () => [...toggles.values()],
    getSegment: (id: number) => segments.get(id),
  });
  const unleash = new Unleash({
    ...STATIC_CONTEXT,
    url: 'http://127.0.0.1:9/api/',
    disableMetrics: true,
    disableAutoStart: true,
    skipInstanceCountWarning: true,
    repository: repository as never,
  });
  unleash.on('error', () => {});
  unleash.on('warn', () => {});
  await unleash.start();
  return unleash;
}

let sink = 0;

/** Runs `loop(n)` with growing n until one run takes about SAMPLE_MS / 4, and returns n for a full sample. */
function calibrate(loop: (n: number) => void): number {
  let n = 1000;
  for (;;) {
    const start = process.hrtime.bigint();
    loop(n);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= SAMPLE_MS / 4 || n > 1e8)
      return Math.max(1000, Math.round((n * SAMPLE_MS) / Math.max(ms, 0.01)));
    n *= 4;
  }
}

interface Sample {
  /** CPU time of this process per call (user + system), in ns: unaffected by waiting for a core */
  cpu: number;
  /** wall-clock time per call, in ns */
  wall: number;
}

function sample(loop: (n: number) => void, n: number): Sample {
  const cpuStart = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  loop(n);
  const wall = Number(process.hrtime.bigint() - wallStart);
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: ((cpu.user + cpu.system) * 1000) / n, wall: wall / n };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Measures two loops, interleaved round by round; medians of CPU and wall ns/op, and the median CPU ratio. */
function comparePair(ours: (n: number) => void, theirs: (n: number) => void) {
  const oursN = calibrate(ours);
  const theirsN = calibrate(theirs);
  const oursSamples: Sample[] = [];
  const theirsSamples: Sample[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = sample(ours, oursN);
    const b = sample(theirs, theirsN);
    oursSamples.push(a);
    theirsSamples.push(b);
    ratios.push(b.cpu / a.cpu);
  }
  return {
    ours: median(oursSamples.map((s) => s.cpu)),
    oursWall: median(oursSamples.map((s) => s.wall)),
    theirs: median(theirsSamples.map((s) => s.cpu)),
    ratio: median(ratios),
  };
}

function syntheticFlags(count: number): ClientFeaturesPayload {
  const features: FeatureDefinition[] = Array.from({ length: count }, (_, i) => {
    const name = `flag-${i}`;
    const kind = i % 4;
    return {
      name,
      enabled: i % 10 !== 0,
      strategies: [
        {
          name: 'flexibleRollout',
          parameters: {
            rollout: String(i % 101),
            stickiness: kind === 1 ? 'userId' : 'default',
            groupId: name,
          },
          constraints:
            kind === 0
              ? []
              : [
                  { contextName: 'plan', operator: 'IN', values: [`plan-${i % 97}`, 'enterprise'] },
                  { contextName: 'appVersion', operator: 'SEMVER_GTE', value: `1.${i % 20}.0` },
                  ...(kind === 3 ? [{ contextName: 'email', operator: 'REGEX', value: `^user${i}@` }] : []),
                ],
          segments: kind === 2 ? [1] : [],
        },
      ],
      variants:
        kind === 2
          ? [
              { name: 'a', weight: 500, weightType: 'variable', stickiness: 'default' },
              { name: 'b', weight: 500, weightType: 'variable', stickiness: 'default' },
            ]
          : [],
    };
  });
  return {
    version: 2,
    features,
    segments: [{ id: 1, constraints: [{ contextName: 'country', operator: 'IN', values: ['NO', 'SE'] }] }],
  };
}

export default async function engineBench(): Promise<BenchSection> {
  const flags = compileFlags(PAYLOAD, { staticContext: STATIC_CONTEXT });
  const unleash = await offlineUnleash(PAYLOAD);
  const rows: string[] = [];
  const targets: BenchSection['targets'] = [];

  for (const { label, flag } of CASES) {
    for (const method of ['isEnabled', 'getVariant'] as const) {
      const ours =
        method === 'isEnabled'
          ? (n: number) => {
              for (let i = 0; i < n; i++) if (flags.isEnabled(flag, CONTEXTS[i & 255])) sink++;
            }
          : (n: number) => {
              for (let i = 0; i < n; i++) if (flags.getVariant(flag, CONTEXTS[i & 255]).enabled) sink++;
            };
      const theirs =
        method === 'isEnabled'
          ? (n: number) => {
              for (let i = 0; i < n; i++) if (unleash.isEnabled(flag, CONTEXTS[i & 255] as never)) sink++;
            }
          : (n: number) => {
              for (let i = 0; i < n; i++)
                if (unleash.getVariant(flag, CONTEXTS[i & 255] as never).enabled) sink++;
            };
      const result = comparePair(ours, theirs);
      rows.push(
        `| ${label} | \`${method}\` | ${result.ours.toFixed(1)} | ${result.theirs.toFixed(0)} | ${result.ratio.toFixed(1)}× | ${result.oursWall.toFixed(1)} |`,
      );
      if (method === 'isEnabled') {
        targets.push({
          label: `${label}: isEnabled ≥ 20× unleash-client (${result.ratio.toFixed(1)}×)`,
          met: result.ratio >= 20,
        });
      }
      if (flag === 'rollout-two-constraints' && method === 'isEnabled') {
        targets.push({
          label: `rollout with two constraints ≤ 150 ns/op (${result.ours.toFixed(1)} ns)`,
          met: result.ours <= 150,
        });
      }
    }
  }
  unleash.destroy();

  // Why murmur.ts hand-writes the hash: hashing a precomputed `groupId:` prefix vs murmurhash3js on the joined key.
  const prefix = prepareHashPrefix('rollout-two-constraints:', 0);
  const hashRow = comparePair(
    (n) => {
      for (let i = 0; i < n; i++) sink ^= hashWithPrefix(prefix, CONTEXTS[i & 255].userId as string);
    },
    (n) => {
      for (let i = 0; i < n; i++)
        sink ^= murmurHash3.x86.hash32(`rollout-two-constraints:${CONTEXTS[i & 255].userId}`, 0);
    },
  );

  // Compiling: 10,000 flags (rollouts with IN, SEMVER and REGEX constraints, segments, variants).
  const large = syntheticFlags(10_000);
  compileFlags(large); // warm up
  const compileCpu: number[] = [];
  const compileWall: number[] = [];
  for (let round = 0; round < 11; round++) {
    const cpuStart = process.cpuUsage();
    const wallStart = process.hrtime.bigint();
    const compiled = compileFlags(large);
    compileWall.push(Number(process.hrtime.bigint() - wallStart) / 1e6);
    const cpu = process.cpuUsage(cpuStart);
    compileCpu.push((cpu.user + cpu.system) / 1000);
    if (compiled.errors.length > 0)
      throw new Error(`bench definitions are broken: ${compiled.errors[0].message}`);
  }
  const compileMs = median(compileCpu);
  const compileWallMs = median(compileWall);
  targets.push({
    label: `10,000 flags compiled in < 100 ms (${compileMs.toFixed(1)} ms CPU, ${compileWallMs.toFixed(1)} ms wall)`,
    met: compileMs < 100,
  });
  if (sink === 0.5) process.stdout.write(''); // keeps `sink` observable

  const markdown = [
    '| case | call | flagwise ns/op | unleash-client ns/op | speed-up | flagwise wall ns/op |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    `| murmur3 of \`groupId:userId\` | hash | ${hashRow.ours.toFixed(1)} | ${hashRow.theirs.toFixed(1)} (murmurhash3js) | ${hashRow.ratio.toFixed(1)}× | ${hashRow.oursWall.toFixed(1)} |`,
    `| compile 10,000 flags | \`compileFlags\` | ${compileMs.toFixed(1)} ms | — | — | ${compileWallMs.toFixed(1)} ms |`,
    '',
    `ns/op is CPU time per call (process.cpuUsage around each sample), the median of ${ROUNDS} interleaved samples of`,
    `about ${SAMPLE_MS} ms each over 256 contexts: on a shared machine it leaves out time spent waiting for a core,`,
    'which wall-clock time (last column, also a median) includes. The speed-up is the median of per-round CPU ratios.',
    'unleash-client 6.12.2 runs offline through its `repository` option with metrics disabled and the same static',
    'context (appName, environment). The hash row compares murmur3 over a precomputed `groupId:` prefix with',
    'murmurhash3js on the concatenated key, which is what unleash-client does. The 10,000 flags are rollouts with',
    'IN, SEMVER and REGEX constraints, a segment and variants.',
  ].join('\n');
  return { title: 'Engine: flagwise vs unleash-client 6.12.2', markdown, targets };
}
