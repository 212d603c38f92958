// One startup policy for every adapter: a misconfiguration refuses the startup (or, with startOnFallbacks, starts
// on fallbacks), late flags give way to fallbacks (or refuse with failOnNotReady), nothing hangs, and requests of
// an app that did not await the startup share its wait and its answer.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../../../test/support/logging.js';
import { failingSource, hangingSource, temporaryDirectory } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { flagsReadiness } from '../../src/adapter/index.js';
import {
  createFlags,
  type FlagSource,
  FlagsFileError,
  FlagwiseError,
  fileSource,
  memorySource,
} from '../../src/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function clientOf(source: FlagSource) {
  const { logger, lines } = recordingLogger();
  const client = createFlags({ source, logger });
  cleanups.push(() => client.close());
  return { client, lines };
}

const fallbacks = (lines: ReturnType<typeof recordingLogger>['lines']) =>
  messagesAt(lines, 'warn').filter((message) => message.includes('serving requests with fallbacks'));

/** A client on a flags file that is invalid at start; `fix()` writes a valid one. */
async function invalidFile() {
  const { dir, remove } = await temporaryDirectory();
  cleanups.push(remove);
  const path = join(dir, 'flags.yaml');
  await writeFile(path, 'flags:\n  beta-page: maybe\n');
  const { client, lines } = clientOf(fileSource(path, { debounceMs: 20 }));
  return { client, lines, path, fix: () => writeFile(path, 'flags:\n  beta-page: true\n') };
}

describe('flagsReadiness: startup', () => {
  it('resolves once the flags are ready', async () => {
    const { client } = clientOf(memorySource({ flags: { a: true } }));
    await flagsReadiness(client, { readyTimeoutMs: 1000 }).startup();
    expect(client.isReady).toBe(true);
  });

  it('refuses the startup on a misconfiguration, which waiting would not fix', async () => {
    const { client } = clientOf(failingSource('the token was refused'));
    await expect(flagsReadiness(client, { readyTimeoutMs: 1000 }).startup()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'the token was refused',
    });
  });

  it('refuses an invalid flags file with its path, line and column', async () => {
    const { client, path } = await invalidFile();
    const error = await flagsReadiness(client, {})
      .startup()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlagsFileError);
    expect((error as Error).message).toBe(
      `${path}:2:3: beta-page must be true, false or a flag object such as { rollout: 10 }, got "maybe"`,
    );
  });

  it('with startOnFallbacks, starts on a misconfiguration, says so once, and the flags load once fixed', async () => {
    const { client, lines, fix } = await invalidFile();
    await flagsReadiness(client, { startOnFallbacks: true }).startup();
    expect(fallbacks(lines)).toHaveLength(1);
    expect(fallbacks(lines)[0]).toMatch(/beta-page must be true, false or a flag object/);
    expect(client.isEnabled('beta-page')).toBe(false);
    await fix();
    await waitFor(() => client.isEnabled('beta-page'), 'the fixed file loaded', 3000);
  });

  it('goes on with fallbacks after the timeout and says so once, or refuses with failOnNotReady', async () => {
    const late = clientOf(hangingSource());
    await flagsReadiness(late.client, { readyTimeoutMs: 20 }).startup();
    expect(fallbacks(late.lines)).toHaveLength(1);
    const strict = clientOf(hangingSource());
    const error = await flagsReadiness(strict.client, { readyTimeoutMs: 20, failOnNotReady: true })
      .startup()
      .catch((e) => e);
    expect(error).toBeInstanceOf(FlagwiseError);
    expect(error.code).toBe('NOT_READY');
    expect(error.message).toMatch(
      /^flagwise: the flags are not ready \(failOnNotReady is set\): flags from hanging/,
    );
  });

  it('gives up before the framework’s own startup timeout would', async () => {
    const { client, lines } = clientOf(hangingSource());
    // a 60 s wait under a 2 s plugin timeout: resolved (with the warning) within the plugin's time
    await flagsReadiness(client, { readyTimeoutMs: 60_000, frameworkTimeoutMs: 2000 }).startup();
    expect(fallbacks(lines)[0]).toMatch(/not ready after 1000 ms/);
  });
});

describe('flagsReadiness: requests', () => {
  it('has early requests wait on the startup’s one promise, and none once the flags are ready', async () => {
    const { client } = clientOf(hangingSource());
    const readiness = flagsReadiness(client, { readyTimeoutMs: 50 });
    const first = readiness.request();
    expect(first).toBeInstanceOf(Promise);
    expect(readiness.request()).toBe(first);
    expect(readiness.startup()).toBe(first);
    await first;
    expect(readiness.request()).toBeUndefined();
  });

  it('goes on at once for a ready client', async () => {
    const { client } = clientOf(memorySource({ flags: { a: true } }));
    await client.ready();
    expect(flagsReadiness(client, {}).request()).toBeUndefined();
  });

  it('fails each request with the refusal while the flags are missing, and lets them through once they load', async () => {
    const { client, lines, path, fix } = await invalidFile();
    const readiness = flagsReadiness(client, {});
    for (let i = 0; i < 2; i++) {
      await expect(readiness.request()).rejects.toThrow(`${path}:2:3: beta-page must be`);
    }
    expect(fallbacks(lines)).toEqual([]);
    await fix();
    await waitFor(() => client.isReady, 'the fixed file loaded', 3000);
    expect(readiness.request()).toBeUndefined();
  });

  it('goes on with fallbacks after a refused token with startOnFallbacks, with one warning', async () => {
    const failed = clientOf(failingSource('refused'));
    const readiness = flagsReadiness(failed.client, { startOnFallbacks: true });
    await readiness.request();
    expect(readiness.request()).toBeUndefined();
    expect(fallbacks(failed.lines)).toEqual([
      'flagwise: serving requests with fallbacks until the flags load (flags read as off, guarded routes answer 404): refused',
    ]);
  });
});
