// HTTP throughput of a few servers measured side by side with autocannon, for the per-framework suites.
//
// What makes the ratios trustworthy on a small shared VM, where the same bare app swings by ±30% between
// seconds and two processes of it differ by a few percent for as long as they live:
// - Every server runs in its own child process, so one app's JIT state and garbage never slows another.
// - When `taskset` exists, every server is pinned to the last CPU and the load generator (this process) to the
//   first, so a server never competes with autocannon and all servers meet the same core.
// - Each target runs in several processes (`processes`), used in turn, so no target draws a lucky or unlucky
//   process for the whole run.
// - Load goes in short windows, one target at a time, in an order that reverses every window (A B C, C B A, …);
//   a target's ratio is the median of its window-by-window ratios to the baseline's adjacent window, so drift
//   hits both sides of each ratio alike.
// - Servers run with V8's memory reducer off, as under steady load: otherwise a server left idle between its
//   windows starts each one re-compiling (see startChild).
// Measured on a 2-CPU VM: an A/A run (the same bare Fastify app as two targets) read 100.3% this way and 93.8%
// with the unpinned 5 × 5 s rounds used before. With the memory reducer off, the 16 windows of bare Express spanned
// 5,280–6,284 req/s (median 5,849); with it on, 3,541–5,470 (median 4,632).
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

/** What a target module's start function returns: where it listens, and how to stop it. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  close?(): Promise<void>;
}

/**
 * The function a target module exports (as `start` unless the target names another export).
 * @example
 * export const start: StartServer = async () => listen(express().get('/', (_req, res) => res.send('ok')));
 */
export type StartServer = (options?: any) => Promise<RunningServer>;

export interface HttpTarget {
  /** the row label, e.g. `express 5 + featureFlags()` */
  name: string;
  /** the module that starts the server: an absolute path or a file URL (`new URL('./apps.ts', import.meta.url)`) */
  module: string | URL;
  /** the exported start function, default `start` */
  export?: string;
  /** passed to the start function; must survive structured clone (IPC) */
  options?: unknown;
}

export interface HttpRequestSpec {
  path: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  headers?: Record<string, string>;
}

export interface HttpBenchOptions {
  targets: HttpTarget[];
  /** requests each connection cycles through; default one `GET /` */
  requests?: HttpRequestSpec[];
  /** default 10 */
  connections?: number;
  /** seconds per measured window; default `FLAGWISE_BENCH_SECONDS` or 1.5 */
  durationSeconds?: number;
  /** seconds of load per server process before the first window; default 1 */
  warmupSeconds?: number;
  /** measured windows per target, interleaved; default `FLAGWISE_BENCH_ROUNDS` or 16 */
  rounds?: number;
  /** server processes per target, loaded in turn; default 4 */
  processes?: number;
  /** the target ratios are computed against; default the first */
  baseline?: string;
  /** every request must answer this status in the pre-flight check; default 200 */
  expectStatus?: number;
  /** progress lines; default stderr */
  log?: (line: string) => void;
}

export interface HttpTargetResult {
  name: string;
  /** median requests per second over the windows */
  requestsPerSecond: number;
  /** requests per second of each window, in order */
  rounds: number[];
  /** median over windows of (this target / baseline) in adjacent windows; 1 for the baseline */
  ratio: number;
  /** median over windows, milliseconds */
  latencyP50: number;
  latencyP99: number;
  /** median server CPU time (user + system) per answered request, microseconds */
  cpuMicrosPerRequest: number;
  /** server CPU µs per request of each window, in order */
  cpuRounds: number[];
  /**
   * median over windows of (baseline CPU per request / this target's): the throughput ratio a CPU-bound server
   * would show. It corroborates `ratio`, which also depends on the load generator keeping up.
   */
  cpuRatio: number;
  /** summed over windows: connection errors and timeouts, and answers that were not 2xx */
  errors: number;
  non2xx: number;
}

const CHILD_FLAG = 'FLAGWISE_HTTP_BENCH_CHILD';

/**
 * Measures every target under the same load, in the same run, and returns one row per target.
 * @example
 * const results = await runHttpBench({
 *   targets: [
 *     { name: 'bare', module: new URL('./apps.ts', import.meta.url), export: 'startBare' },
 *     { name: 'with flags', module: new URL('./apps.ts', import.meta.url), export: 'startWithFlags' },
 *   ],
 *   requests: [{ path: '/', headers: { 'x-user-id': '1' } }],
 * });
 * console.log(httpBenchTable(results));
 */
export async function runHttpBench(options: HttpBenchOptions): Promise<HttpTargetResult[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const requests = options.requests?.length ? options.requests : [{ path: '/' }];
  const connections = options.connections ?? 10;
  const duration = options.durationSeconds ?? numberFromEnv('FLAGWISE_BENCH_SECONDS', 1.5);
  const warmup = options.warmupSeconds ?? 1;
  const windowCount = options.rounds ?? numberFromEnv('FLAGWISE_BENCH_ROUNDS', 16);
  const processCount = options.processes ?? 4;
  const expectStatus = options.expectStatus ?? 200;
  const baselineName = options.baseline ?? options.targets[0]?.name;
  if (!options.targets.some((t) => t.name === baselineName)) {
    throw new Error(`runHttpBench: baseline "${baselineName}" is not one of the targets`);
  }

  const pinning = cpuPinning();
  const servers: { target: HttpTarget; processes: { child: ChildProcess; url: string }[] }[] = [];
  const restoreAffinity = pinning?.pinSelf();
  try {
    for (const target of options.targets) {
      const processes = [];
      for (let i = 0; i < processCount; i++) {
        const started = await startChild(target, pinning?.serverCpu);
        processes.push(started);
        await preflight(target.name, started.url, requests, expectStatus);
      }
      servers.push({ target, processes });
    }
    log(
      pinning
        ? `  servers pinned to CPU ${pinning.serverCpu}, load generator to CPU ${pinning.loadCpu}`
        : '  taskset not found (or one CPU): servers and load generator share the CPUs',
    );
    const load = (url: string, seconds: number) =>
      autocannon({
        url,
        connections,
        duration: seconds,
        requests: requests.map((r) => ({ path: r.path, method: r.method ?? 'GET', headers: r.headers })),
      });

    for (const { target, processes } of servers) {
      log(`  warm-up ${target.name} (${warmup}s × ${processes.length} processes)`);
      for (const { url } of processes) await load(url, warmup);
    }
    const measured = new Map<string, { result: autocannon.Result; cpuPerRequest: number }[]>(
      servers.map((s) => [s.target.name, []]),
    );
    for (let window = 0; window < windowCount; window++) {
      const order = window % 2 === 0 ? servers : [...servers].reverse();
      for (const { target, processes } of order) {
        const { child, url } = processes[window % processes.length];
        const cpuBefore = await childCpuMicros(child);
        const result = await load(url, duration);
        const cpuPerRequest = (await childCpuMicros(child)) - cpuBefore;
        measured
          .get(target.name)!
          .push({ result, cpuPerRequest: cpuPerRequest / Math.max(1, result.requests.total) });
      }
      log(
        `  window ${window + 1}/${windowCount}: ${servers
          .map(({ target }) => `${Math.round(measured.get(target.name)!.at(-1)!.result.requests.average)}`)
          .join(' / ')} req/s`,
      );
    }

    const baselineRounds = measured.get(baselineName!)!;
    return servers.map(({ target }) => {
      const rounds = measured.get(target.name)!;
      const results = rounds.map((r) => r.result);
      const rps = results.map((r) => r.requests.average);
      return {
        name: target.name,
        requestsPerSecond: median(rps),
        rounds: rps,
        ratio: median(rps.map((value, i) => value / baselineRounds[i].result.requests.average)),
        cpuMicrosPerRequest: median(rounds.map((r) => r.cpuPerRequest)),
        cpuRounds: rounds.map((r) => r.cpuPerRequest),
        cpuRatio: median(rounds.map((r, i) => baselineRounds[i].cpuPerRequest / r.cpuPerRequest)),
        latencyP50: median(results.map((r) => r.latency.p50)),
        latencyP99: median(results.map((r) => r.latency.p99)),
        errors: sum(results.map((r) => r.errors + r.timeouts)),
        non2xx: sum(results.map((r) => r.non2xx)),
      };
    });
  } finally {
    await Promise.all(servers.flatMap(({ processes }) => processes.map(({ child }) => stopChild(child))));
    restoreAffinity?.();
  }
}

/**
 * With taskset and two or more CPUs: servers go on the last CPU, the load generator on the first. On one CPU, or
 * without taskset (util-linux), nothing is pinned and the bench still runs. Suites that time code in child
 * processes pin them to `serverCpu` too.
 */
export function cpuPinning(): { serverCpu: number; loadCpu: number; pinSelf(): () => void } | undefined {
  const cpus = os.availableParallelism();
  if (cpus < 2 || process.platform !== 'linux') return undefined;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const all = `0-${cpus - 1}`;
  const setSelf = (list: string) =>
    execFileSync('taskset', ['-a', '-p', '-c', list, String(process.pid)], { stdio: 'ignore' });
  const loadCpu = 0;
  return {
    serverCpu: cpus - 1,
    loadCpu,
    pinSelf() {
      setSelf(String(loadCpu));
      return () => setSelf(all);
    },
  };
}

/** How one row compares with another of the same run, window by window. */
export interface Comparison {
  /** median over windows of (row req/s / reference req/s) in the same window */
  throughput: number;
  /** median over windows of (reference CPU per request / row's) */
  cpu: number;
  /** the row's median server CPU per request minus the reference's, microseconds */
  cpuMicrosAbove: number;
}

/**
 * `row` against `reference`, both from one runHttpBench call: paired by window, as the baseline ratios are, so
 * drift between windows hits both sides of each ratio alike.
 * @example const { throughput, cpu } = compareRows(flagwise, sameShape);
 */
export function compareRows(row: HttpTargetResult, reference: HttpTargetResult): Comparison {
  return {
    throughput: median(row.rounds.map((value, i) => value / reference.rounds[i])),
    cpu: median(row.cpuRounds.map((value, i) => reference.cpuRounds[i] / value)),
    cpuMicrosAbove: row.cpuMicrosPerRequest - reference.cpuMicrosPerRequest,
  };
}

/** The share of the hand-written rows' throughput and CPU per request flagwise must keep. */
export const BY_HAND_TARGET = 0.98;

/** One framework's line of the per-request summary `pnpm bench` writes after the suites. */
export interface PerRequestCost {
  framework: string;
  /** server CPU µs per request above the bare app: flagwise, the same shape by hand, the same object by hand */
  flagwiseAboveBare: number;
  sameShapeAboveBare: number;
  sameObjectAboveBare: number;
  /** the same app by hand on flagwise's public client (`publicClientEvaluations`) */
  publicClientAboveBare: number;
  versusSameShape: Comparison;
  versusSameObject: Comparison;
  versusPublicClient: Comparison;
}

/**
 * The lines, targets and summary comparing a flagwise row with the same shape by hand (no per-request object),
 * the same lazy object by hand (`handWrittenFlagsObject`) and the same app by hand on flagwise's public client
 * (`publicClientEvaluations`), for every HTTP suite.
 */
export function byHandComparison(
  framework: string,
  rows: {
    bare: HttpTargetResult;
    flagwise: HttpTargetResult;
    sameShape: HttpTargetResult;
    sameObject: HttpTargetResult;
    publicClient: HttpTargetResult;
  },
): { markdown: string; targets: { label: string; met: boolean }[]; perRequest: PerRequestCost } {
  const { bare, flagwise, sameShape, sameObject, publicClient } = rows;
  const shape = compareRows(flagwise, sameShape);
  const object = compareRows(flagwise, sameObject);
  const client = compareRows(flagwise, publicClient);
  const objectOverShape = compareRows(sameObject, sameShape);
  const markdown =
    `Against the rows by hand, window by window: flagwise keeps ${percent(shape.throughput)} of the same shape's ` +
    `throughput and ${percent(shape.cpu)} of its CPU per request (${micros(shape.cpuMicrosAbove)} per request), ` +
    `${percent(object.throughput)} / ${percent(object.cpu)} of the same lazy object by hand ` +
    `(${micros(object.cpuMicrosAbove)}), and ${percent(client.throughput)} / ${percent(client.cpu)} of the same ` +
    `app by hand on flagwise's public client (${micros(client.cpuMicrosAbove)}); the lazy object by hand itself ` +
    `keeps ${percent(objectOverShape.throughput)} / ${percent(objectOverShape.cpu)} of the shape with no object ` +
    `(${micros(objectOverShape.cpuMicrosAbove)}).`;
  const target = (name: string, comparison: Comparison) => ({
    label:
      `${framework} with flagwise keeps ≥ ${BY_HAND_TARGET * 100}% of ${name} (throughput ` +
      `${percent(comparison.throughput)}; CPU per request ${percent(comparison.cpu)})`,
    met: comparison.throughput >= BY_HAND_TARGET && comparison.cpu >= BY_HAND_TARGET,
  });
  const above = (row: HttpTargetResult) => row.cpuMicrosPerRequest - bare.cpuMicrosPerRequest;
  return {
    markdown,
    targets: [
      target('the same shape by hand', shape),
      target('the same lazy object by hand', object),
      target("the same app by hand on flagwise's public client", client),
    ],
    perRequest: {
      framework,
      flagwiseAboveBare: above(flagwise),
      sameShapeAboveBare: above(sameShape),
      sameObjectAboveBare: above(sameObject),
      publicClientAboveBare: above(publicClient),
      versusSameShape: shape,
      versusSameObject: object,
      versusPublicClient: client,
    },
  };
}

/** The per-request summary of every HTTP suite, as one markdown table. */
export function perRequestTable(costs: PerRequestCost[]): string {
  const lines = [
    '| framework | flagwise | the same shape by hand | the same lazy object by hand | on the public client by hand | flagwise vs the same shape (throughput / CPU) | flagwise vs the same object (throughput / CPU) | flagwise vs the public client by hand (throughput / CPU) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const cost of costs) {
    lines.push(
      `| ${cost.framework} | ${micros(cost.flagwiseAboveBare)} | ${micros(cost.sameShapeAboveBare)} | ` +
        `${micros(cost.sameObjectAboveBare)} | ${micros(cost.publicClientAboveBare)} | ` +
        `${percent(cost.versusSameShape.throughput)} / ${percent(cost.versusSameShape.cpu)} | ` +
        `${percent(cost.versusSameObject.throughput)} / ${percent(cost.versusSameObject.cpu)} | ` +
        `${percent(cost.versusPublicClient.throughput)} / ${percent(cost.versusPublicClient.cpu)} |`,
    );
  }
  return lines.join('\n');
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const micros = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)} µs`;

/** How to read the table, for every HTTP suite's text. */
export const HTTP_METHOD_NOTE =
  'Each target runs in 4 server processes pinned to one CPU (autocannon, 10 connections, on the other, when ' +
  'taskset exists) and is ' +
  'loaded in short windows that alternate with the other targets in an order reversing every window; servers ' +
  "run with V8's memory reducer off, as under steady load, so a server idle between windows does not re-compile. " +
  '"vs baseline" is the median of window-by-window throughput ratios to the bare app; "server CPU µs/req" is the ' +
  "server process's own CPU time per answered request, and its ratio the throughput a CPU-bound server would keep. " +
  'A target is met only when both ratios reach it.';

/**
 * A markdown table of results: req/s, ratio to the baseline, latency, errors.
 * @example
 * section.markdown = httpBenchTable(await runHttpBench(options));
 */
export function httpBenchTable(results: HttpTargetResult[]): string {
  const lines = [
    '| server | req/s (median) | vs baseline | server CPU µs/req | vs baseline (CPU) | p50 ms | p99 ms | windows (req/s, min–max) | errors / non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.name} | ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} | ${(r.ratio * 100).toFixed(1)}% | ` +
        `${r.cpuMicrosPerRequest.toFixed(1)} | ${(r.cpuRatio * 100).toFixed(1)}% | ` +
        `${r.latencyP50} | ${r.latencyP99} | ${r.rounds.length} × ${Math.round(Math.min(...r.rounds))}–${Math.round(Math.max(...r.rounds))} | ${r.errors} / ${r.non2xx} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Starts listening on 127.0.0.1, port 0, and returns the URL and a close function — for target modules.
 * Works with anything that has Node's `listen` (an Express app, a Koa app's `callback()` server, http.Server).
 * @example
 * export const start: StartServer = () => listen(app);
 */
export async function listen(app: {
  listen: (port: number, host: string) => Server;
}): Promise<RunningServer> {
  const server = app.listen(0, '127.0.0.1');
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

async function startChild(
  target: HttpTarget,
  cpu: number | undefined,
): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = process.execArgv.some((arg) => arg.includes('tsx'))
    ? process.execArgv
    : ['--import', 'tsx'];
  // A server waits idle while the other targets take their windows. V8's memory reducer collects an idle
  // process and lets its compiled code age out, so each window would begin by compiling the app again, and the
  // ratios would weigh re-warming (larger for more code) instead of the cost per request under steady load.
  // Measured on Express: after 20 s idle the first 1.5 s window read 3,540 req/s against 5,000 before it; with
  // the reducer off, 5,090. A server under steady load never meets the reducer.
  const serverArgs = [...nodeArgs, '--no-memory-reducer'];
  // Pinned: taskset runs node in its own place, with the IPC channel fork set up passed through.
  const child = fork(fileURLToPath(import.meta.url), [], {
    execPath: cpu === undefined ? process.execPath : 'taskset',
    execArgv: cpu === undefined ? serverArgs : ['-c', String(cpu), process.execPath, ...serverArgs],
    env: { ...process.env, [CHILD_FLAG]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const module =
    target.module instanceof URL
      ? target.module.href
      : path.isAbsolute(target.module)
        ? pathToFileURL(target.module).href
        : target.module;
  child.send({ type: 'start', module, export: target.export ?? 'start', options: target.options });
  const reply = await new Promise<{ url?: string; error?: string }>((resolve) => {
    child.once('message', (message) => resolve(message as { url?: string; error?: string }));
    child.once('exit', (code) => resolve({ error: `exited with code ${code} before it listened` }));
  });
  if (!reply.url) {
    child.kill();
    throw new Error(`http bench target "${target.name}" failed to start: ${reply.error}`);
  }
  return { child, url: reply.url };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.send({ type: 'close' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The child's CPU time so far (user + system), microseconds. */
async function childCpuMicros(child: ChildProcess): Promise<number> {
  const reply = new Promise<number>((resolve, reject) => {
    const onExit = () => reject(new Error('http bench target exited during a round'));
    const onMessage = (message: { type?: string; micros?: number }) => {
      if (message?.type !== 'cpu') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message.micros!);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  child.send({ type: 'cpu' });
  return reply;
}

async function preflight(
  name: string,
  url: string,
  requests: HttpRequestSpec[],
  status: number,
): Promise<void> {
  for (const spec of requests) {
    const res = await fetch(url + spec.path, { method: spec.method ?? 'GET', headers: spec.headers });
    await res.arrayBuffer();
    if (res.status !== status) {
      throw new Error(`http bench target "${name}": ${spec.path} answered ${res.status}, expected ${status}`);
    }
  }
}

/** The median; of an even count, the mean of the two middle values. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

// Child mode: this same file, forked, starts one target and serves until told to close (or the parent goes away).
if (process.env[CHILD_FLAG] === '1' && typeof process.send === 'function') {
  let running: RunningServer | undefined;
  const exit = async () => {
    await running?.close?.();
    process.exit(0);
  };
  process.on('disconnect', exit);
  process.on(
    'message',
    async (message: { type: string; module?: string; export?: string; options?: unknown }) => {
      if (message.type === 'close') return exit();
      if (message.type === 'cpu') {
        const { user, system } = process.cpuUsage();
        process.send!({ type: 'cpu', micros: user + system });
        return;
      }
      if (message.type !== 'start') return;
      try {
        const mod = await import(message.module!);
        const start = mod[message.export!] as StartServer | undefined;
        if (typeof start !== 'function')
          throw new Error(`${message.module} has no export "${message.export}"`);
        running = await start(message.options);
        process.send!({ url: running.url });
      } catch (error) {
        process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    },
  );
}
