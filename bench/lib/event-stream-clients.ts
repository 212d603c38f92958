// Many pages' event streams from one process, as cheap as a browser tab's: each stream is a plain HTTP GET kept
// open, and each `refetchEvaluation` notice it carries is counted. Used by the event-stream bench (in a child
// process of its own, bench/lib/event-stream-clients-process.ts) and by the soak.
import { Agent, request } from 'node:http';

export interface CountingStreams {
  /** refetchEvaluation notices each stream has received so far */
  readonly counts: Int32Array;
  /** streams whose response was 200 */
  readonly open: () => number;
  /** streams that were refused or closed by the server */
  readonly lost: () => number;
  /** resolves once every stream has answered (200 or not) */
  readonly ready: Promise<void>;
  close(): void;
}

const NOTICE = '"type":"refetchEvaluation"';

/**
 * Opens `total` streams on `urls` (round robin) and counts the notices on each.
 * @example const streams = openCountingStreams(['http://127.0.0.1:3000/ofrep/v1/events'], 2000);
 */
export function openCountingStreams(urls: readonly string[], total: number): CountingStreams {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const counts = new Int32Array(total);
  let open = 0;
  let lost = 0;
  let answered = 0;
  let closing = false;
  let allAnswered!: () => void;
  const ready = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });
  if (total === 0) allAnswered();
  const answer = () => {
    answered++;
    if (answered === total) allAnswered();
  };
  const requests = Array.from({ length: total }, (_, index) => {
    const req = request(
      urls[index % urls.length],
      { agent, headers: { accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          lost++;
          res.resume();
          answer();
          return;
        }
        open++;
        answer();
        let tail = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          // A notice may be split across chunks: look in what is left of the last one too.
          const text = tail + chunk;
          for (let at = text.indexOf(NOTICE); at >= 0; at = text.indexOf(NOTICE, at + NOTICE.length)) {
            counts[index]++;
          }
          tail = text.slice(-NOTICE.length + 1);
        });
        res.on('close', () => {
          open--;
          if (!closing) lost++;
        });
      },
    );
    req.on('error', () => {
      if (closing) return;
      lost++;
      answer();
    });
    req.end();
    return req;
  });
  return {
    counts,
    open: () => open,
    lost: () => lost,
    ready,
    close: () => {
      closing = true;
      for (const req of requests) req.destroy();
      agent.destroy();
    },
  };
}
