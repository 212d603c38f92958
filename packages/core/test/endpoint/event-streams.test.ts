// The event streams of one client: the bound on open streams, heartbeats, idle streams closed, everything ended
// on client.close(); events formatted as text/event-stream.
import { afterEach, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { eventStreamsOf, formatEvent, StreamChannel } from '../../src/endpoint/event-streams.js';
import { createFlags, type EndpointResponse, type FlagsClient, memorySource } from '../../src/index.js';

const clients: FlagsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

function clientWith(eventStreams: object) {
  const { logger, lines } = recordingLogger();
  const client = createFlags({ source: memorySource({ flags: { a: true } }), logger, eventStreams });
  clients.push(client);
  return { client, lines };
}

/** Runs a stream answer as an adapter does; `ended` turns true when the stream ends itself. */
function run(response: EndpointResponse) {
  const opened = { chunks: [] as string[], ended: false, controller: new AbortController() };
  response.stream?.(
    (chunk) => opened.chunks.push(chunk),
    () => {
      opened.ended = true;
      opened.controller.abort();
    },
    opened.controller.signal,
  );
  return opened;
}

describe('formatEvent', () => {
  it('writes id, event and one data line per line, and keeps line breaks out of id and name', () => {
    expect(formatEvent({ id: 'a\nb', event: 'version', data: 'one\ntwo' })).toBe(
      'id: ab\nevent: version\ndata: one\ndata: two\n\n',
    );
    expect(formatEvent({ id: 'x' })).toBe('id: x\n\n');
  });
});

describe('eventStreamsOf(client)', () => {
  it('opens streams up to maxStreams, answers 503 with Retry-After past it, and warns once', () => {
    const { client, lines } = clientWith({ maxStreams: 2 });
    const streams = eventStreamsOf(client);
    const channel = new StreamChannel();
    const first = run(streams.answer({ channel }));
    run(streams.answer({ channel }));
    expect(streams.size).toBe(2);
    const refused = streams.answer({ channel, headers: { 'access-control-allow-origin': '*' } });
    expect(refused.status).toBe(503);
    expect(refused.headers).toMatchObject({ 'retry-after': '5', 'access-control-allow-origin': '*' });
    expect(streams.answer({ channel }).status).toBe(503);
    expect(messagesAt(lines, 'warn').filter((m) => m.includes('event streams are open'))).toHaveLength(1);
    first.controller.abort();
    expect(streams.size).toBe(1);
    expect(streams.answer({ channel }).status).toBe(200);
  });

  it('starts each stream with retry: and its first events, and sends channel events to every stream', () => {
    const { client } = clientWith({ retryMs: 2500 });
    const channel = new StreamChannel();
    const other = new StreamChannel();
    const a = run(eventStreamsOf(client).answer({ channel, first: () => [{ id: 'v1' }] }));
    const b = run(eventStreamsOf(client).answer({ channel }));
    const c = run(eventStreamsOf(client).answer({ channel: other }));
    expect(a.chunks).toEqual(['retry: 2500\nid: v1\n\n']);
    expect(b.chunks).toEqual(['retry: 2500\n\n']);
    channel.send({ event: 'version', data: '2' });
    expect(a.chunks.at(-1)).toBe('event: version\ndata: 2\n\n');
    expect(b.chunks.at(-1)).toBe('event: version\ndata: 2\n\n');
    expect(c.chunks).toHaveLength(1);
  });

  it('sends heartbeat comments, and closes a stream that has carried no event for idleTimeoutMs', async () => {
    const { client } = clientWith({ heartbeatMs: 20, idleTimeoutMs: 200 });
    const channel = new StreamChannel();
    const busy = run(eventStreamsOf(client).answer({ channel }));
    const idle = run(eventStreamsOf(client).answer({ channel: new StreamChannel() }));
    await waitFor(() => idle.chunks.includes(':\n\n'), 'a heartbeat');
    const keepBusy = setInterval(() => channel.send({ data: 'x' }), 20);
    try {
      await waitFor(() => idle.ended, 'the idle stream closed');
      expect(busy.ended).toBe(false);
      expect(eventStreamsOf(client).size).toBe(1);
    } finally {
      clearInterval(keepBusy);
    }
  });

  it('ends every stream when the client closes, and opens none after', async () => {
    const { client } = clientWith({});
    const channel = new StreamChannel();
    const opened = [
      run(eventStreamsOf(client).answer({ channel })),
      run(eventStreamsOf(client).answer({ channel })),
    ];
    await client.close();
    expect(opened.map((stream) => stream.ended)).toEqual([true, true]);
    expect(eventStreamsOf(client).size).toBe(0);
    expect(eventStreamsOf(client).answer({ channel }).status).toBe(503);
  });

  it('refuses a wrong eventStreams option at startup, naming the fix', () => {
    expect(() =>
      createFlags({ source: memorySource({ flags: {} }), eventStreams: { maxStream: 5 } as object }),
    ).toThrow(/unknown option "maxStream" \(did you mean "maxStreams"\?\)/);
    expect(() =>
      createFlags({ source: memorySource({ flags: {} }), eventStreams: { heartbeatMs: 0 } }),
    ).toThrow(/heartbeatMs must be a whole number of milliseconds ≥ 1/);
  });
});
