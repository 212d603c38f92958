// Reloading a 10,000-flag, 5 MB flags.yaml under HTTP load: the worst request latency and the app's event-loop
// delay while the file is re-read, parsed, compiled and swapped in, against the same app at steady load for as
// long, and against the same reload read and parsed on the main thread (a synchronous read and parse, as a reload
// without a parse process does). The machine's load average is recorded through each window: the load and the
// app share the machine's cores, and so does whatever else runs on it.
// The app runs in a child process (bench/lib/reload-app.ts); this process sends the load over keep-alive
// connections and times every request.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeFlagsFile } from '../lib/large-flags-file.js';
import type { BenchSection } from '../run.js';

const FLAGS = 10_000;
const CONNECTIONS = 8;
/** the shortest steady window; it lasts as long as the reload's when that is longer */
const STEADY_MS = 3_000;
const AFTER_RELOAD_MS = 1_000;
const TARGET_MS = 100;

interface Window {
  requests: number;
  failed: number;
  worstMs: number;
  p99Ms: number;
  loopDelayMaxMs: number;
  /** the 1-minute load average, lowest and highest seen through the window */
  load: { min: number; max: number };
}

interface Row {
  name: string;
  steady: Window;
  reload: Window;
  reloadSeconds: number;
}

function startApp(path: string, mode: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL('../lib/reload-app.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, RELOAD_FLAGS_FILE: path, RELOAD_MODE: mode },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (message: { type: string; port?: number }) => {
      if (message.type === 'listening') resolve({ child, port: message.port! });
    });
    child.once('exit', (code) => reject(new Error(`the reload app exited with code ${code}`)));
  });
}

/** Sends requests on CONNECTIONS keep-alive connections until `until` resolves; times each one. */
async function load(port: number, until: Promise<unknown>): Promise<Omit<Window, 'loopDelayMaxMs'>> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let failed = 0;
  let done = false;
  const loads = [loadavg()[0]];
  const sampler = setInterval(() => loads.push(loadavg()[0]), 1_000);
  void until.then(() => {
    done = true;
  });
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) failed++;
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (!done) await one();
    }),
  );
  agent.destroy();
  clearInterval(sampler);
  loads.push(loadavg()[0]);
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    failed,
    worstMs: latencies.at(-1) ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    load: { min: Math.min(...loads), max: Math.max(...loads) },
  };
}

function loopDelay(child: ChildProcess): Promise<number> {
  child.send({ type: 'delay' });
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; maxMs?: number }) => {
      if (message.type !== 'delay') return;
      child.off('message', onMessage);
      resolve(message.maxMs!);
    };
    child.on('message', onMessage);
  });
}

async function measure(name: string, mode: string, dir: string): Promise<Row> {
  const path = join(dir, `${mode}.yaml`);
  writeFileSync(path, largeFlagsFile(FLAGS, 0));
  const { child, port } = await startApp(path, mode);
  try {
    // warm up, then the reload, then a steady window as long
    await load(port, new Promise((resolve) => setTimeout(resolve, 1_000)));
    await loopDelay(child);
    const changed = new Promise<void>((resolve) => {
      child.on('message', (message: { type: string }) => {
        if (message.type === 'changed') resolve();
      });
    });
    const started = performance.now();
    let reloadSeconds = 0;
    const finished = changed.then(async () => {
      reloadSeconds = (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, AFTER_RELOAD_MS));
    });
    const reloading = load(port, finished);
    writeFileSync(path, largeFlagsFile(FLAGS, 1));
    const reloadLoad = await reloading;
    const reload = { ...reloadLoad, loopDelayMaxMs: await loopDelay(child) };
    const reloadMs = performance.now() - started;

    const steadyLoad = await load(
      port,
      new Promise((resolve) => setTimeout(resolve, Math.max(STEADY_MS, reloadMs))),
    );
    const steady = { ...steadyLoad, loopDelayMaxMs: await loopDelay(child) };
    return { name, steady, reload, reloadSeconds };
  } finally {
    const exited = once(child, 'exit');
    child.send({ type: 'close' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const loadOf = (window: Window) =>
  window.load.min.toFixed(1) === window.load.max.toFixed(1)
    ? window.load.min.toFixed(1)
    : `${window.load.min.toFixed(1)}–${window.load.max.toFixed(1)}`;

export default async function reloadBench(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'flagwise-reload-bench-'));
  try {
    const size = (largeFlagsFile(FLAGS, 0).length / 1e6).toFixed(1);
    const rows: Row[] = [];
    rows.push(
      await measure('fileSource (parse in a low-priority process, compile in slices)', 'file-source', dir),
    );
    rows.push(await measure('read and parse on the main thread', 'main-thread', dir));
    const cores = availableParallelism();
    const lines = [
      `| reload of ${FLAGS.toLocaleString('en-US')} flags (${size} MB) under load | reload worst | reload p99 | event-loop delay max (reload) | load average (reload) | steady worst (as long) | steady p99 | load average (steady) | reload took | failed |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.name} | ${ms(row.reload.worstMs)} | ${ms(row.reload.p99Ms)} | ${ms(row.reload.loopDelayMaxMs)} | ${loadOf(row.reload)} | ${ms(row.steady.worstMs)} | ${ms(row.steady.p99Ms)} | ${loadOf(row.steady)} | ${row.reloadSeconds.toFixed(1)} s | ${row.steady.failed + row.reload.failed} |`,
      ),
    ];
    const [fileSourceRow, mainThread] = rows;
    return {
      title: 'Reloading a large flags.yaml under HTTP load',
      markdown: `${lines.join('\n')}

Express 5 with featureFlags() over the file, ${CONNECTIONS} keep-alive connections from another process on the same
${cores} cores, every request timed. "reload" spans the write of a file that changes every flag until 1 s after the
app's \`changed\` event; "reload took" is write → \`changed\`; "steady" is the same app and load for as long right
after. "load average" is the machine's 1-minute load average (lowest–highest through the window, on ${cores} cores):
above ${cores}, other work competed for the cores. fileSource parses in a child process ten nice steps below the app,
which hands the flags back in JSON pieces read between requests; the client compiles, indexes and diffs the
${FLAGS.toLocaleString('en-US')} flags in slices of a few milliseconds between requests, then swaps them in at once. The worst request during the
reload is ${(mainThread.reload.worstMs / Math.max(fileSourceRow.reload.worstMs, 0.001)).toFixed(0)}× shorter than with the read and parse on the main thread.`,
      targets: [
        {
          label: `worst request latency while the file reloads ≤ ${TARGET_MS} ms (${ms(fileSourceRow.reload.worstMs)}, load average ${loadOf(fileSourceRow.reload)} on ${cores} cores)`,
          met: fileSourceRow.reload.worstMs <= TARGET_MS,
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
