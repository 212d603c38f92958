// The app the reload bench loads, run as a child process: Express 5 with featureFlags() over a flags.yaml,
// reporting its event-loop delay and every flags change to the parent over IPC. With RELOAD_MODE=main-thread
// it reloads the way a synchronous parse does (read and parse on the main thread, into memorySource), for
// comparison.
import { readFileSync, watch } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseFlagsFile } from '@flagwise/core';
import { createFlags, featureFlags, fileSource, getFlags, memorySource } from '@flagwise/express';
import express from 'express';

const path = process.env.RELOAD_FLAGS_FILE!;
const mode = process.env.RELOAD_MODE ?? 'file-source';

function mainThreadSource() {
  const source = memorySource(parseFlagsFile(readFileSync(path, 'utf8'), path).definitions);
  let timer: NodeJS.Timeout | undefined;
  watch(dirname(path), () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => source.replace(parseFlagsFile(readFileSync(path, 'utf8'), path).definitions),
      50,
    );
  });
  return source;
}

const client = createFlags({
  source: mode === 'main-thread' ? mainThreadSource() : fileSource(path, { debounceMs: 50 }),
});
await client.ready({ timeoutMs: 120_000 });
client.on('changed', () => process.send?.({ type: 'changed' }));

const app = express();
app.use(featureFlags(client));
app.get('/', (req, res) => {
  const flags = getFlags(req);
  res.json({ a: flags.flag1, b: flags.flag2, c: flags.isEnabled('flag-3') });
});

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'delay') {
    process.send?.({ type: 'delay', maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 });
    delay.reset();
  } else if (message.type === 'close') {
    server.close();
    server.closeAllConnections();
    void client.close().then(() => process.exit(0));
  }
});
