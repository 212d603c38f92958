// HTTP throughput of a few servers measured side by side with autocannon, for the per-framework suites.
//
// Each target runs in its own child process (so one app's JIT state and garbage never slows another, and the
// load generator in this process does not share an event loop with the server). Rounds are interleaved —
// A B C, A B C, … — and each ratio is the median of the per-round ratios, so drift on a shared machine
// (other jobs starting, CPU frequency) hits both sides of a comparison alike.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  /** seconds per measured round; default `FLAGWISE_BENCH_SECONDS` or 5 */
  durationSeconds?: number;
  /** seconds of load per target before the first round; default 2 */
  warmupSeconds?: number;
  /** measured rounds per target, interleaved; default `FLAGWISE_BENCH_ROUNDS` or 3 */
  rounds?: number;
  /** the target ratios are computed against; default the first */
  baseline?: string;
  /** every request must answer this status in the pre-flight check; default 200 */
  expectStatus?: number;
  /** progress lines; default stderr */
  log?: (line: string) => void;
}

export interface HttpTargetResult {
  name: string;
  /** median requests per second over the rounds */
  requestsPerSecond: number;
  /** requests per second of each round, in order */
  rounds: number[];
  /** median over rounds of (this target / baseline) in the same round; 1 for the baseline */
  ratio: number;
  /** median over rounds, milliseconds */
  latencyP50: number;
  latencyP99: number;
  /** median server CPU time (user + system) per answered request, microseconds */
  cpuMicrosPerRequest: number;
  /**
   * median over rounds of (baseline CPU per request / this target's): the throughput ratio a CPU-bound server
   * would show. It barely moves when other work shares the machine, so it corroborates `ratio` on noisy hosts.
   */
  cpuRatio: number;
  /** summed over rounds: connection errors and timeouts, and answers that were not 2xx */
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
  const duration = options.durationSeconds ?? numberFromEnv('FLAGWISE_BENCH_SECONDS', 5);
  const warmup = options.warmupSeconds ?? 2;
  const roundCount = options.rounds ?? numberFromEnv('FLAGWISE_BENCH_ROUNDS', 3);
  const expectStatus = options.expectStatus ?? 200;
  const baselineName = options.baseline ?? options.targets[0]?.name;
  if (!options.targets.some((t) => t.name === baselineName)) {
    throw new Error(`runHttpBench: baseline "${baselineName}" is not one of the targets`);
  }

  const servers: { target: HttpTarget; child: ChildProcess; url: string }[] = [];
  try {
    for (const target of options.targets) {
      const { child, url } = await startChild(target);
      servers.push({ target, child, url });
      await preflight(target.name, url, requests, expectStatus);
    }
    const load = (url: string, seconds: number) =>
      autocannon({
        url,
        connections,
        duration: seconds,
        requests: requests.map((r) => ({ path: r.path, method: r.method ?? 'GET', headers: r.headers })),
      });

    for (const { target, url } of servers) {
      log(`  warm-up ${target.name} (${warmup}s)`);
      await load(url, warmup);
    }
    const measured = new Map<string, { result: autocannon.Result; cpuPerRequest: number }[]>(
      servers.map((s) => [s.target.name, []]),
    );
    for (let round = 1; round <= roundCount; round++) {
      for (const { target, url, child } of servers) {
        const cpuBefore = await childCpuMicros(child);
        const result = await load(url, duration);
        const cpuPerRequest = (await childCpuMicros(child)) - cpuBefore;
        measured
          .get(target.name)!
          .push({ result, cpuPerRequest: cpuPerRequest / Math.max(1, result.requests.total) });
        log(`  round ${round}/${roundCount} ${target.name}: ${Math.round(result.requests.average)} req/s`);
      }
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
        cpuRatio: median(rounds.map((r, i) => baselineRounds[i].cpuPerRequest / r.cpuPerRequest)),
        latencyP50: median(results.map((r) => r.latency.p50)),
        latencyP99: median(results.map((r) => r.latency.p99)),
        errors: sum(results.map((r) => r.errors + r.timeouts)),
        non2xx: sum(results.map((r) => r.non2xx)),
      };
    });
  } finally {
    await Promise.all(servers.map(({ child }) => stopChild(child)));
  }
}

/**
 * A markdown table of results: req/s, ratio to the baseline, latency, errors.
 * @example
 * section.markdown = httpBenchTable(await runHttpBench(options));
 */
export function httpBenchTable(results: HttpTargetResult[]): string {
  const lines = [
    '| server | req/s (median) | vs baseline | server CPU µs/req | vs baseline (CPU) | p50 ms | p99 ms | rounds (req/s) | errors / non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.name} | ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} | ${(r.ratio * 100).toFixed(1)}% | ` +
        `${r.cpuMicrosPerRequest.toFixed(1)} | ${(r.cpuRatio * 100).toFixed(1)}% | ` +
        `${r.latencyP50} | ${r.latencyP99} | ${r.rounds.map((v) => Math.round(v)).join(', ')} | ${r.errors} / ${r.non2xx} |`,
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

async function startChild(target: HttpTarget): Promise<{ child: ChildProcess; url: string }> {
  const execArgv = process.execArgv.some((arg) => arg.includes('tsx'))
    ? process.execArgv
    : ['--import', 'tsx'];
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv,
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

function median(values: number[]): number {
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
