// Per-request cost: make the lazy per-request object and read 3 flags, with 10 and with 10,000 flags defined.
// Laziness is what keeps the two equal: nothing is done for flags a request never reads.
// Then the HTTP suites' per-request flag work alone, in process (no framework, no sockets): what flagwise's
// adapter path costs beside the same work by hand, in nanoseconds that HTTP noise does not blur.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFlags, type FeatureDefinition, type FlagContext, memorySource } from '@flagwise/core';
import { flagAllows, type RequestReader, requestFlagsLater } from '@flagwise/core/adapter';
import { cpuPinning, median } from '../lib/http-bench.js';
import {
  GUARD_FLAG,
  handWrittenEvaluations,
  handWrittenFlagsObject,
  leanFlagsObject,
  readThrough,
  USERS,
  definitions as workloadDefinitions,
} from '../lib/workload.js';
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

/** `+12` or `−3`: a difference in ns. */
function signed(ns: number): string {
  return ns < 0 ? `−${Math.abs(ns).toFixed(0)}` : `+${ns.toFixed(0)}`;
}

/** ns per (create + 3 reads), median of `rounds` timed batches. */
function measure(count: number, rounds = 15, batch = 200_000): number {
  const client = createFlags({ source: memorySource(definitions(count)), logger: false });
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

/** One request of the HTTP suites' workload: what an adapter sees of it. */
interface WorkloadRequest {
  ip: string;
  headers: Record<string, string>;
  flags?: unknown;
  flagContext?: FlagContext;
}

const workloadRequests: WorkloadRequest[] = USERS.map((user, i) => ({
  ip: '127.0.0.1',
  headers: { 'x-user-id': user, 'x-plan': i % 3 === 0 ? 'pro' : 'free' },
}));

const contextFields = (request: WorkloadRequest) => ({
  userId: request.headers['x-user-id'],
  properties: { plan: request.headers['x-plan'] },
});

/**
 * The HTTP suites' flag work for one request (the context, the guard flag and the 3 reads) four ways: by hand
 * with no object, through the Proxy object by hand, through the lean object by hand, and through flagwise. Each
 * returns a function running `n` requests.
 */
async function workloadShapes() {
  const evaluate = handWrittenEvaluations();
  const { flagsFor } = handWrittenFlagsObject();
  const lean = leanFlagsObject((request: WorkloadRequest) => ({
    remoteAddress: request.ip,
    ...contextFields(request),
  }));
  const client = createFlags({
    source: memorySource({ version: 2, features: workloadDefinitions() }),
    logger: false,
  });
  await client.ready({ timeoutMs: 5000 });
  let sink = 0;
  const count = (answer: { rollout: unknown; variant: string }) => {
    if (answer.rollout === true) sink++;
    if (answer.variant === 'treatment') sink++;
  };
  // What an adapter reads of the request at the first read, and where its cookies and headers would go (none here).
  const reader: RequestReader<WorkloadRequest, undefined> = {
    inputOf: (request) => ({ user: undefined, session: undefined, ip: request.ip }),
    setCookies() {},
    setHeaders() {},
  };
  const prepared: { waiting: Promise<void> | undefined } = { waiting: undefined };
  const shapes = {
    sameShape(n: number) {
      for (let i = 0; i < n; i++) {
        const request = workloadRequests[i % workloadRequests.length];
        const context: FlagContext = { remoteAddress: request.ip, ...contextFields(request) };
        request.flagContext = context;
        if (evaluate.guard(context)) count(evaluate.reads(context));
      }
    },
    sameObject(n: number) {
      for (let i = 0; i < n; i++) {
        const request = workloadRequests[i % workloadRequests.length];
        const flags = flagsFor({ remoteAddress: request.ip, ...contextFields(request) });
        request.flags = flags;
        if (flags[GUARD_FLAG]) count(readThrough(flags));
      }
    },
    leanObject(n: number) {
      for (let i = 0; i < n; i++) {
        const request = workloadRequests[i % workloadRequests.length];
        const flags = lean.flagsFor(request);
        request.flags = flags;
        if (flags[GUARD_FLAG]) count(readThrough(flags));
      }
    },
    flagwise(n: number) {
      for (let i = 0; i < n; i++) {
        const request = workloadRequests[i % workloadRequests.length];
        // What an adapter makes: flags whose context (the request's facts, the app's hook) is built at the
        // first read.
        const flags = requestFlagsLater(
          client,
          request,
          undefined,
          reader,
          contextFields,
          undefined,
          prepared,
        );
        request.flags = flags;
        if (flagAllows(flags, GUARD_FLAG)) count(readThrough(flags));
      }
    },
  };
  return { shapes, close: () => client.close(), sunk: () => sink };
}

type ShapeName = keyof Awaited<ReturnType<typeof workloadShapes>>['shapes'];
const SHAPES: ShapeName[] = ['sameShape', 'sameObject', 'leanObject', 'flagwise'];
const SHAPE_CHILD = 'FLAGWISE_BENCH_SHAPE';

/** In a child process: ns per request of one shape, the median of `rounds` batches after a warm-up. */
async function measureShapeHere(name: ShapeName, rounds = 9, batch = 100_000): Promise<number> {
  const { shapes, close, sunk } = await workloadShapes();
  shapes[name](batch * 2);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    shapes[name](batch);
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  await close();
  if (sunk() === -1) console.log('unreachable');
  return median(samples);
}

/** Rounds of the workload shapes: one process of each shape per round. */
const WORKLOAD_ROUNDS = 9;

/** Each shape's ns per request, and flagwise's ratio to the same shape by hand. */
interface WorkloadFigures {
  /** per shape: the median over its processes */
  ns: Record<ShapeName, number>;
  /** the median over rounds of flagwise / the same shape by hand, both measured in that round */
  ratio: number;
  /** the lowest and highest of those per-round ratios */
  ratioRange: [number, number];
}

/**
 * ns per request of each shape. Each shape runs in processes of its own, so the engine's JIT state in one never
 * favours another (sharing a process, whichever ran first set the engine's type feedback). A round runs one
 * process of each shape back to back, in an order that reverses every round; a shape's figure is the median over
 * its processes, and flagwise's ratio the median of its per-round ratios, so a slower or faster stretch of the
 * machine weighs on both sides of each ratio.
 */
async function measureWorkload(rounds = WORKLOAD_ROUNDS): Promise<WorkloadFigures> {
  const samples = new Map(SHAPES.map((name) => [name, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? SHAPES : [...SHAPES].reverse()) {
      samples.get(name)!.push(inChild(SHAPE_CHILD, name));
    }
  }
  const flagwise = samples.get('flagwise')!;
  const sameShape = samples.get('sameShape')!;
  const ratios = flagwise.map((ns, round) => ns / sameShape[round]);
  return {
    ns: Object.fromEntries(SHAPES.map((name) => [name, median(samples.get(name)!)])) as Record<
      ShapeName,
      number
    >,
    ratio: median(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
  };
}

/** Runs this file in a child process told what to measure by `variable`; its figure, in ns. */
function inChild(variable: string, value: string): number {
  const node = [process.execPath, ...process.execArgv, fileURLToPath(import.meta.url)];
  const [command, ...args] = pinnedCpu === undefined ? node : ['taskset', '-c', String(pinnedCpu), ...node];
  const output = execFileSync(command, args, {
    env: { ...process.env, [variable]: value },
    encoding: 'utf8',
  });
  return Number(output.trim().split('\n').at(-1));
}

const shapeInThisProcess = process.env[SHAPE_CHILD] as ShapeName | undefined;
if (shapeInThisProcess !== undefined) {
  process.stdout.write(`${await measureShapeHere(shapeInThisProcess)}\n`);
  process.exit(0);
}
const FLAG_COUNT_CHILD = 'FLAGWISE_BENCH_FLAG_COUNT';
const flagCountInThisProcess = process.env[FLAG_COUNT_CHILD];
if (flagCountInThisProcess !== undefined) {
  process.stdout.write(`${measure(Number(flagCountInThisProcess), 5)}\n`);
  process.exit(0);
}

/**
 * Where the measuring children run (asked in the parent only: the children exit above): on one CPU when taskset can pin them (the CPU the HTTP suites give their
 * servers). Unpinned, each child lands on whichever CPU is free, and on a shared VM the two CPUs may run the same
 * code at speeds up to 2× apart for minutes, so children of one shape would differ by the CPU they drew.
 */
const pinnedCpu = cpuPinning()?.serverCpu;

export default async function requestFlagsBench(): Promise<BenchSection> {
  // Interleave the two sizes so drift on a shared machine hits both alike; each run in a process of its own, so
  // the JIT state the suites before this one left (the engine's, unleash-client's) weighs on neither.
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < 3; i++) {
    small.push(inChild(FLAG_COUNT_CHILD, '10'));
    large.push(inChild(FLAG_COUNT_CHILD, '10000'));
  }
  const s = median(small);
  const l = median(large);
  const ratio = l / s;
  const { ns: work, ratio: workRatio, ratioRange } = await measureWorkload();
  return {
    title: 'Per-request flags: create `req.flags` and read 3 flags',
    markdown: [
      '| flags defined | ns per request (create + 3 reads) |',
      '| ---: | ---: |',
      `| 10 | ${s.toFixed(0)} |`,
      `| 10,000 | ${l.toFixed(0)} |`,
      '',
      `10,000 vs 10 flags: ${ratio.toFixed(2)}× (each figure is the median of 3 interleaved runs of 5 batches of 200,000, each run in a process of its own).`,
      'Each read is a flexibleRollout with an IN constraint, evaluated on first read and memoized for the request.',
      '',
      "The HTTP suites' flag work for one request, in process (no framework, no sockets): build the context " +
        '(user id and plan from headers, the IP), check the guard flag, read 2 flags and a variant, over the ' +
        "suites' 200 flags and 50 users.",
      '',
      '| per request | ns | above the same shape by hand |',
      '| --- | ---: | ---: |',
      `| the same shape by hand: the context, then 4 evaluations on \`compileFlags\` | ${work.sameShape.toFixed(0)} | — |`,
      `| the same lazy object by hand (\`handWrittenFlagsObject\`: a Proxy, a Map per request) | ${work.sameObject.toFixed(0)} | ${signed(work.sameObject - work.sameShape)} |`,
      `| the lazy object at its leanest by hand (\`leanFlagsObject\`: accessors on a class, the context at the first read, one array per request) | ${work.leanObject.toFixed(0)} | ${signed(work.leanObject - work.sameShape)} |`,
      `| flagwise: \`requestFlagsLater(client, req, …)\` as the adapters call it, \`flagAllows\`, 3 reads through \`req.flags\` | ${work.flagwise.toFixed(0)} | ${signed(work.flagwise - work.sameShape)} |`,
      '',
      `Each shape runs alone in its own processes, one of each shape per round, ${WORKLOAD_ROUNDS} rounds, in an order that ` +
        `reverses every round${pinnedCpu === undefined ? '' : `, all on CPU ${pinnedCpu}`}; a figure is the median ` +
        'over its processes of the median of 9 batches of 100,000 requests, and flagwise against the same shape by ' +
        `hand is the median of the ${WORKLOAD_ROUNDS} per-round ratios: ${workRatio.toFixed(2)}× (rounds ${ratioRange[0].toFixed(2)}–` +
        `${ratioRange[1].toFixed(2)}×). The lean row is what laziness, ` +
        'memoizing and a context taken at the first read cost when written for speed by hand; what flagwise costs ' +
        "above it is its own per-request work (the adapter's request reader, the default context under the app's " +
        'hook, the override, telemetry and anonymous-request checks, guards by flag name). The HTTP tables below ' +
        'show the difference within a whole request.',
    ].join('\n'),
    targets: [
      { label: `10 flags: ≤ 1 µs per request (${s.toFixed(0)} ns)`, met: s <= 1000 },
      { label: `10,000 flags: ≤ 1 µs per request (${l.toFixed(0)} ns)`, met: l <= 1000 },
      {
        label: `within 20% of each other (${((ratio - 1) * 100).toFixed(1)}%)`,
        met: Math.abs(ratio - 1) <= 0.2,
      },
      {
        label: `the HTTP suites' flag work through flagwise: ≤ 1.3× the same shape by hand (${workRatio.toFixed(2)}×)`,
        met: workRatio <= 1.3,
      },
    ],
  };
}
