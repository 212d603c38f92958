// The event-stream bench's pages, in a process of their own so counting 2,000 streams never slows the process
// that times the app's ordinary requests. The parent sends { type: 'open', urls, total }, later { type: 'counts' }
// and { type: 'close' }.
import { type CountingStreams, openCountingStreams } from './event-stream-clients.js';

let streams: CountingStreams | undefined;
process.on('message', async (message: { type: string; urls?: string[]; total?: number }) => {
  if (message.type === 'open') {
    streams = openCountingStreams(message.urls!, message.total!);
    await streams.ready;
    process.send?.({ type: 'opened', open: streams.open(), lost: streams.lost() });
  } else if (message.type === 'counts') {
    const counts = [...(streams?.counts ?? [])];
    process.send?.({
      type: 'counts',
      min: Math.min(...counts),
      max: Math.max(...counts),
      open: streams?.open() ?? 0,
      lost: streams?.lost() ?? 0,
    });
  } else if (message.type === 'close') {
    streams?.close();
    process.exit(0);
  }
});
