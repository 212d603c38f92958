// 2,000 pages' event streams open on one Express process (half on OFREP's, half on the Frontend API's) while a
// browser flag and a hidden flag each change 5 times a second: the latency of the app's ordinary route under
// autocannon (p99, against the same load with no stream open and nothing changing), the app's memory after a
// full GC before and after, and whether every stream got every browser-flag notice and none for the hidden one.
// The app (bench/lib/event-streams-app.ts) and the pages (bench/lib/event-stream-clients-process.ts) run in
// processes of their own; this one runs autocannon. BENCH_STREAMS and BENCH_STREAMS_SECONDS change the size.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchSection } from '../run.js';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 2000);
const SECONDS = Number(process.env.BENCH_STREAMS_SECONDS ?? 20);
const CHANGES_PER_SECOND = 5;
const P99_TARGET_MS = 50;
const CONNECTIONS = 10;

function child(file: string, execArgv: string[] = []): ChildProcess {
  return fork(fileURLToPath(new URL(`../lib/${file}`, import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends `message` and resolves the child's next message of type `reply`. */
function ask<T>(process: ChildProcess, message: object, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: { type: string }) => {
      if (answer.type !== reply) return;
      process.off('message', onMessage);
      resolve(answer as T);
    };
    process.on('message', onMessage);
    process.send(message);
  });
}

async function load(url: string, seconds: number) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'x-user-id': 'u1' },
  });
  return {
    p99: result.latency.p99,
    mean: result.latency.average,
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export default async function eventStreamsBench(): Promise<BenchSection> {
  const app = child('event-streams-app.ts', ['--expose-gc']);
  const pages = child('event-stream-clients-process.ts');
  try {
    const [{ port }] = (await once(app, 'message')) as [{ port: number }];
    const base = `http://127.0.0.1:${port}`;
    await load(`${base}/`, 2); // warm up
    type Loop = { p99Ms: number; maxMs: number; cpuShare: number };
    await ask<Loop>(app, { type: 'loop' }, 'loop');
    const quiet = await load(`${base}/`, Math.max(3, Math.round(SECONDS / 4)));
    const quietLoop = await ask<Loop>(app, { type: 'loop' }, 'loop');
    const before = await ask<{ rss: number; heapUsed: number }>(app, { type: 'memory' }, 'memory');

    const opened = await ask<{ open: number; lost: number }>(
      pages,
      { type: 'open', urls: [`${base}/ofrep/v1/events`, `${base}/api/frontend/events`], total: STREAMS },
      'opened',
    );
    const withStreams = await ask<{ rss: number; heapUsed: number }>(app, { type: 'memory' }, 'memory');
    await ask<Loop>(app, { type: 'loop' }, 'loop');
    app.send({ type: 'change', perSecond: CHANGES_PER_SECOND });
    const busy = await load(`${base}/`, SECONDS);
    const busyLoop = await ask<Loop>(app, { type: 'loop' }, 'loop');
    const { changes } = await ask<{ changes: number }>(app, { type: 'stop' }, 'stopped');
    // The last notices are on their way: wait until the counts stop moving (bounded).
    let counts = await ask<{ min: number; max: number; open: number; lost: number }>(
      pages,
      { type: 'counts' },
      'counts',
    );
    for (let round = 0; round < 50 && counts.min < changes; round++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      counts = await ask(pages, { type: 'counts' }, 'counts');
    }
    const after = await ask<{ rss: number; heapUsed: number }>(app, { type: 'memory' }, 'memory');

    const everyNotice = counts.min === changes && counts.max === changes && counts.lost === 0;
    const bounded = after.heapUsed - withStreams.heapUsed < 32 * 2 ** 20;
    return {
      title: `Event streams: ${STREAMS.toLocaleString('en')} open pages on one Express process, flags changing ${CHANGES_PER_SECOND} times a second`,
      markdown: [
        '| | ordinary route p99 | mean | requests | errors | app event-loop delay p99 / max | app CPU |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        `| no stream open, no change | ${quiet.p99.toFixed(1)} ms | ${quiet.mean.toFixed(1)} ms | ${quiet.requests} | ${quiet.errors} | ${quietLoop.p99Ms.toFixed(1)} / ${quietLoop.maxMs.toFixed(1)} ms | ${(quietLoop.cpuShare * 100).toFixed(0)} % |`,
        `| ${opened.open} streams open, ${CHANGES_PER_SECOND} browser + ${CHANGES_PER_SECOND} hidden changes/s for ${SECONDS} s | ${busy.p99.toFixed(1)} ms | ${busy.mean.toFixed(1)} ms | ${busy.requests} | ${busy.errors} | ${busyLoop.p99Ms.toFixed(1)} / ${busyLoop.maxMs.toFixed(1)} ms | ${(busyLoop.cpuShare * 100).toFixed(0)} % |`,
        '',
        '| memory after a full GC | RSS | heap used |',
        '| --- | ---: | ---: |',
        `| before the streams | ${mb(before.rss)} | ${mb(before.heapUsed)} |`,
        `| ${opened.open} streams open | ${mb(withStreams.rss)} | ${mb(withStreams.heapUsed)} |`,
        `| after ${changes} browser changes | ${mb(after.rss)} | ${mb(after.heapUsed)} |`,
        '',
        `Notices per stream: min ${counts.min}, max ${counts.max} for ${changes} browser-flag changes (and as many hidden ones, which send nothing); ${counts.lost} streams lost. ` +
          `autocannon: ${CONNECTIONS} connections on GET / (three flag reads). The pages only count their notices: a page refetching on each would add one evaluation request per change.`,
      ].join('\n'),
      targets: [
        {
          label: `the ordinary route's p99 stays under ${P99_TARGET_MS} ms with the streams open`,
          met: busy.p99 < P99_TARGET_MS,
        },
        {
          label: 'every stream gets every browser-flag notice, and none for a hidden flag',
          met: everyNotice,
        },
        {
          label: 'heap used after the changes stays within 32 MB of the heap with the streams open',
          met: bounded,
        },
      ],
    };
  } finally {
    pages.send({ type: 'close' });
    app.send({ type: 'close' });
    await Promise.all([once(app, 'exit'), once(pages, 'exit')]);
  }
}
