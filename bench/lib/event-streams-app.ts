// The app the event-stream bench loads, run as a child process: Express 5 with featureFlags() over 200 flags (20
// of them browser-visible), OFREP and the Frontend API (each with its event stream), and an ordinary route. On
// { type: 'change' } it starts changing a browser flag and a hidden one 5 times a second each; it reports its
// memory (after a full GC) and how many browser-visible changes it made.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  createFlags,
  featureFlags,
  flagsFrontendApi,
  flagsOfrep,
  getFlags,
  memorySource,
} from '@flagwise/express';
import express from 'express';

const BROWSER = 20;
const flags: Record<string, object | boolean> = {};
for (let i = 0; i < 200; i++) {
  flags[`flag-${i}`] = i < BROWSER ? { browser: true, rollout: 50 } : { users: [`user-${i}`] };
}
const source = memorySource({ flags });
const client = createFlags({ source, logger: false });
await client.ready();

const app = express();
app.use(featureFlags(client, { context: (req) => ({ userId: req.get('x-user-id') }) }));
app.use(flagsOfrep());
app.use('/api/frontend', flagsFrontendApi());
app.get('/', (req, res) => {
  const flags = getFlags(req);
  res.json({ a: flags.isEnabled('flag-1'), b: flags.isEnabled('flag-150'), c: flags.variant('flag-3').name });
});

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
let cpu = process.cpuUsage();
let since = performance.now();
let changes = 0;
let timer: NodeJS.Timeout | undefined;
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { type: string; perSecond?: number }) => {
  if (message.type === 'change') {
    timer = setInterval(() => {
      // Each browser flag in turn, its rollout moved one way and back on alternate rounds: always a change.
      const rollout = Math.floor(changes / BROWSER) % 2 === 0 ? 60 : 50;
      source.set(`flag-${changes % BROWSER}`, { browser: true, rollout });
      source.set(`flag-${BROWSER + (changes % 100)}`, { users: [`user-${changes}`] });
      changes++;
    }, 1000 / message.perSecond!);
  } else if (message.type === 'stop') {
    clearInterval(timer);
    process.send?.({ type: 'stopped', changes });
  } else if (message.type === 'loop') {
    // The event loop's delay and the CPU the app used since the last ask.
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - since) / 1000;
    process.send?.({
      type: 'loop',
      p99Ms: delay.percentile(99) / 1e6,
      maxMs: delay.max / 1e6,
      cpuShare: (used.user + used.system) / 1e6 / seconds,
    });
    delay.reset();
    cpu = process.cpuUsage();
    since = performance.now();
  } else if (message.type === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send?.({ type: 'memory', rss, heapUsed });
  } else if (message.type === 'close') {
    server.closeAllConnections();
    server.close();
    void client.close().then(() => process.exit(0));
  }
});
