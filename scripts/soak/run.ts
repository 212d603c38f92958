// `pnpm soak`: about a minute of HTTP load on an Express app that takes its flags from a real Unleash server,
// while the soak flag is toggled and the server is stopped and started again, with SOAK_STREAMS (500) pages'
// OFREP event streams open all along. Reports failed requests (the target is none), how long each toggle took
// to reach the app's answers, whether every stream heard every toggle, and the app's RSS at the start and end
// (after a full GC; the target is under 10 % growth). Loopback only.
//
// The server is a private unleash-server 7.5.1 (the harness's first, on UNLEASH_HARNESS_PORT itself: 44262 unless
// set; PostgreSQL on 54362), so the outage never touches a server someone else's test run uses; it is stopped at
// the end if the soak started it. The app reads its flags from the server the soak toggles them on.
import { execFile, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type CountingStreams, openCountingStreams } from '../../bench/lib/event-stream-clients.js';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = join(here, '..', 'unleash');
const env = {
  ...process.env,
  UNLEASH_HARNESS_PORT: process.env.UNLEASH_HARNESS_PORT ?? '44262',
  UNLEASH_HARNESS_PG_PORT: process.env.UNLEASH_HARNESS_PG_PORT ?? '54362',
};
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = 8;
const STREAMS = Number(process.env.SOAK_STREAMS ?? 500);
const TOGGLE_EVERY_MS = 6_000;

function script(name: string, args: string[] = []): string {
  return execFileSync(join(scripts, name), args, {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
}

/** The same, without blocking this process: the load keeps going while the server stops and starts. */
async function scriptInBackground(name: string, args: string[] = []): Promise<void> {
  await promisify(execFile)(join(scripts, name), args, { env, timeout: 300_000 });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// The one server the soak starts, toggles, stops and restarts: the one at UNLEASH_HARNESS_PORT itself (7.5.1; 8.2.0
// listens on the port after it), where the app polls and the admin calls go.
const SERVER = ['--server', '7'];
const url = `http://127.0.0.1:${env.UNLEASH_HARNESS_PORT}`;
const healthy = () =>
  fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );

const wasRunning = await healthy();
const values = Object.fromEntries(
  script('start.sh', SERVER)
    .split('\n')
    .map((line) => /^(\w+)='(.*)'$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1], match[2]]),
);
const adminToken = values.UNLEASH_HARNESS_ADMIN_TOKEN;
const flag = `fw-soak-${Date.now().toString(36)}`;

async function admin(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: adminToken,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}
const environmentPath = `/api/admin/projects/default/features/${flag}/environments/development`;
await admin('POST', '/api/admin/projects/default/features', { name: flag, type: 'release' });
await admin('POST', `${environmentPath}/strategies`, { name: 'default', constraints: [], parameters: {} });
await admin('POST', `${environmentPath}/on`);

const child = fork(join(here, 'app.ts'), [], {
  execArgv: ['--import', 'tsx', '--expose-gc'],
  env: {
    ...env,
    SOAK_FLAG: flag,
    SOAK_UNLEASH_API_URL: values.UNLEASH_HARNESS_API_URL,
    SOAK_CLIENT_TOKEN: values.UNLEASH_HARNESS_CLIENT_TOKEN,
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const appLog: string[] = [];
const port = await new Promise<number>((resolve, reject) => {
  child.on('message', (message: { type: string; port?: number; level?: string; message?: string }) => {
    if (message.type === 'listening') resolve(message.port!);
    if (message.type === 'log') appLog.push(`${message.level}: ${message.message}`);
  });
  child.once('exit', (code) => reject(new Error(`the soak app exited with code ${code}`)));
});
const rss = () =>
  new Promise<{ bytes: number; status: string }>((resolve) => {
    const onMessage = (message: { type: string; bytes?: number; status?: string }) => {
      if (message.type !== 'rss') return;
      child.off('message', onMessage);
      resolve({ bytes: message.bytes!, status: message.status! });
    };
    child.on('message', onMessage);
    child.send({ type: 'rss' });
  });

const began = performance.now();
const elapsed = () => (performance.now() - began) / 1000;

// --- load: CONNECTIONS keep-alive loops, each answer's flag value kept with its time -------------------------
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
let running = true;
let requests = 0;
let failed = 0;
const failures: string[] = [];
let lastOn: boolean | undefined;
let lastOnAt = 0;
const one = () =>
  new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        requests++;
        if (res.statusCode === 200) {
          lastOn = (JSON.parse(body) as { on: boolean }).on;
          lastOnAt = performance.now();
        } else {
          failed++;
          if (failures.length < 5)
            failures.push(`at ${elapsed().toFixed(1)} s: ${res.statusCode}: ${body.slice(0, 200)}`);
        }
        resolve();
      });
    });
    req.on('error', (error) => {
      requests++;
      failed++;
      if (failures.length < 5) failures.push(`at ${elapsed().toFixed(1)} s: ${error.message}`);
      resolve();
    });
    req.end();
  });
const loops = Array.from({ length: CONNECTIONS }, async () => {
  while (running) await one();
});

/** Toggles the flag and resolves how long until the app's answers show it. */
async function toggle(on: boolean): Promise<number> {
  const started = performance.now();
  await admin('POST', `${environmentPath}/${on ? 'on' : 'off'}`);
  while (!(lastOn === on && lastOnAt > started)) {
    if (performance.now() - started > 30_000)
      throw new Error(`the toggle to ${on} did not reach the app in 30 s`);
    await sleep(10);
  }
  return performance.now() - started;
}

const toggles: number[] = [];
let afterRestart = 0;
let outageSeconds = 0;
let restartSeconds = 0;
let rssStart = 0;
let rssEnd = 0;
let endStatus = '';
let streams: CountingStreams | undefined;
let streamCounts = { min: 0, max: 0, lost: 0, open: 0 };
try {
  // The pages' event streams, open through the outage and the restart.
  streams = openCountingStreams([`http://127.0.0.1:${port}/ofrep/v1/events`], STREAMS);
  await streams.ready;
  // warm up (JIT, heap sizing) before the first measure
  await sleep(10_000);
  rssStart = (await rss()).bytes;
  let on = true;
  // toggles while the server is up
  while (elapsed() < SECONDS * 0.3) {
    on = !on;
    toggles.push(await toggle(on));
    await sleep(TOGGLE_EVERY_MS / 2);
  }
  // an outage: the app keeps answering with the last flags
  const down = performance.now();
  await scriptInBackground('stop.sh', [...SERVER, '--unleash-only']);
  await sleep(Math.min(10_000, SECONDS * 150));
  outageSeconds = (performance.now() - down) / 1000;
  const restarting = performance.now();
  await scriptInBackground('start.sh', SERVER);
  restartSeconds = (performance.now() - restarting) / 1000;
  on = !on;
  afterRestart = await toggle(on);
  // toggles after the restart until the time is up
  while (elapsed() < SECONDS - 4) {
    await sleep(TOGGLE_EVERY_MS / 2);
    on = !on;
    toggles.push(await toggle(on));
  }
  await sleep(2_000);
  const counts = [...streams.counts];
  streamCounts = {
    min: Math.min(...counts),
    max: Math.max(...counts),
    lost: streams.lost(),
    open: streams.open(),
  };
  const end = await rss();
  rssEnd = end.bytes;
  endStatus = end.status;
} finally {
  streams?.close();
  running = false;
  await Promise.all(loops);
  agent.destroy();
  const exited = once(child, 'exit');
  child.send({ type: 'close' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  await admin('POST', '/api/admin/projects/default/archive', { features: [flag] }).catch(() => undefined);
  if (!wasRunning) script('stop.sh', SERVER);
}

const sorted = [...toggles].sort((a, b) => a - b);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const growth = ((rssEnd - rssStart) / rssStart) * 100;
// Every toggle (the one after the restart included) changes what a page can see: one notice each.
const heard = toggles.length + 1;
const streamsHeard =
  streamCounts.min === heard &&
  streamCounts.max === heard &&
  streamCounts.lost === 0 &&
  streamCounts.open === STREAMS;
const result = [
  `soak: ${elapsed().toFixed(0)} s of load on ${CONNECTIONS} connections, Unleash stopped for ${outageSeconds.toFixed(1)} s and restarted (${restartSeconds.toFixed(1)} s)`,
  '',
  '| measure | value | target |',
  '| --- | ---: | --- |',
  `| requests | ${requests.toLocaleString('en-US')} | |`,
  `| failed requests | ${failed} | 0 ${failed === 0 ? '✅' : '❌'} |`,
  `| toggle → app, ${toggles.length} toggles (min / median / max) | ${sorted[0]?.toFixed(0)} / ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} / ${sorted.at(-1)?.toFixed(0)} ms | |`,
  `| first toggle after the restart → app | ${afterRestart.toFixed(0)} ms | |`,
  `| event streams: notices per stream (min / max), streams lost | ${streamCounts.min} / ${streamCounts.max} of ${heard}, ${streamCounts.lost} lost | every toggle, none lost ${streamsHeard ? '✅' : '❌'} |`,
  `| RSS start → end (after GC) | ${mb(rssStart)} → ${mb(rssEnd)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %) | < 10 % ${growth < 10 ? '✅' : '❌'} |`,
  `| source status at the end | ${endStatus} | ready |`,
];
process.stdout.write(`${result.join('\n')}\n`);
if (failures.length) process.stdout.write(`first failures:\n  ${failures.join('\n  ')}\n`);
if (appLog.length)
  process.stdout.write(`app log (${appLog.length} lines):\n  ${appLog.slice(0, 10).join('\n  ')}\n`);
process.exitCode = failed === 0 && growth < 10 && streamsHeard ? 0 : 1;
