// One readiness policy for every adapter: startup waits where the framework has a startup, requests wait
// otherwise, nothing hangs, and a misconfiguration stops the startup.
import { afterEach, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import { failingSource, hangingSource } from '../../../../test/support/sources.js';
import { requestReadiness, startupReadiness } from '../../src/adapter/index.js';
import {
  createFlags,
  type FlagSource,
  type FlagsClient,
  FlagwiseError,
  memorySource,
} from '../../src/index.js';

const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function clientOf(source: FlagSource) {
  const { logger, lines } = recordingLogger();
  const client = createFlags({ source, logger });
  clients.push(client);
  return { client, lines };
}

const fallbacks = (lines: ReturnType<typeof recordingLogger>['lines']) =>
  messagesAt(lines, 'warn').filter((message) => message.includes('serving requests with fallbacks'));

describe('startupReadiness', () => {
  it('resolves once the flags are ready', async () => {
    const { client } = clientOf(memorySource({ flags: { a: true } }));
    await startupReadiness(client, { timeoutMs: 1000 });
    expect(client.isReady).toBe(true);
  });

  it('stops the startup on a misconfiguration, which waiting would not fix', async () => {
    const { client } = clientOf(failingSource('the token was refused'));
    await expect(startupReadiness(client, { timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'the token was refused',
    });
  });

  it('goes on with fallbacks after the timeout and says so once, or fails with failOnNotReady', async () => {
    const late = clientOf(hangingSource());
    await startupReadiness(late.client, { timeoutMs: 20 });
    expect(fallbacks(late.lines)).toHaveLength(1);
    const strict = clientOf(hangingSource());
    const error = await startupReadiness(strict.client, { timeoutMs: 20, failOnNotReady: true }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(FlagwiseError);
    expect(error.code).toBe('NOT_READY');
    expect(error.message).toMatch(
      /^flagwise: the flags are not ready \(failOnNotReady is set\): flags from hanging/,
    );
  });

  it('gives up before the framework’s own startup timeout would', async () => {
    const { client, lines } = clientOf(hangingSource());
    // a 60 s wait under a 2 s plugin timeout: resolved (with the warning) within the plugin's time
    await startupReadiness(client, { timeoutMs: 60_000, frameworkTimeoutMs: 2000 });
    expect(fallbacks(lines)[0]).toMatch(/not ready after 1000 ms/);
  });
});

describe('requestReadiness', () => {
  it('has early requests wait on one promise, and none once the flags are ready', async () => {
    const { client } = clientOf(hangingSource());
    const waitForFlags = requestReadiness(client, 50);
    const first = waitForFlags();
    expect(first).toBeInstanceOf(Promise);
    expect(waitForFlags()).toBe(first);
    await first;
    expect(waitForFlags()).toBeUndefined();
  });

  it('opens at once for a ready client, and after a failed start with one warning', async () => {
    const ready = clientOf(memorySource({ flags: { a: true } }));
    await ready.client.ready();
    expect(requestReadiness(ready.client)()).toBeUndefined();
    const failed = clientOf(failingSource('refused'));
    const waitForFlags = requestReadiness(failed.client, 1000);
    await waitForFlags();
    expect(waitForFlags()).toBeUndefined();
    expect(fallbacks(failed.lines)).toEqual([
      'flagwise: serving requests with fallbacks until the flags load (flags read as off, guarded routes answer 404): refused',
    ]);
  });
});
