// A large flags.yaml (2,000 flags, about 1 MB; seconds of YAML parsing on a busy machine) reloaded by fileSource from a real file:
// the parse runs off the main thread, so the event loop keeps ticking through it, and the new flags arrive in
// one swap. A broken large file is reported with its line, as a small one is; a parse process killed half-way
// leaves the last good flags and an error that names the file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { largeFlagsFile } from '../../../../bench/lib/large-flags-file.js';
import { parseProcesses } from '../../../../test/support/processes.js';
import { directoryPerTest, recordEvents } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { FlagsFileError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { fileSource } from '../../src/sources/index.js';
import type { FlagSource, SourceEvent } from '../../src/types.js';

const scratch = directoryPerTest((source: FlagSource) => source.stop());

const COUNT = 2000;
const rolloutOf = (definitions: unknown) =>
  (definitions as { features: { strategies: { parameters: { rollout: string } }[] }[] }).features[1]
    .strategies[0].parameters.rollout;

/** The longest the event loop went without running a 10 ms timer while `work` was pending. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return longest;
}

describe('fileSource: a large flags file', { timeout: 90_000 }, () => {
  it('reloads without stalling the event loop, swapping in every flag at once', async () => {
    const path = join(scratch.dir, 'flags.yaml');
    await writeFile(path, largeFlagsFile(COUNT, 0));
    const source = fileSource(path, { debounceMs: 20 });
    scratch.open.push(source);
    await source.start({ logger: silentLogger });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = recordEvents(source);
    expect(rolloutOf(source.current())).toBe('7');

    const stall = await longestStall(async () => {
      await writeFile(path, largeFlagsFile(COUNT, 1));
      await waitFor(() => rolloutOf(source.current()) === '20', 'the reloaded flags', 60_000);
    });
    // parsing this file on the main thread stalls it for seconds; off it, the timer keeps running
    expect(stall).toBeLessThan(500);
    const swaps = events.filter(
      (event): event is Extract<SourceEvent, { type: 'definitions' }> => event.type === 'definitions',
    );
    expect(swaps).toHaveLength(1);
    expect(swaps[0].definitions.features).toHaveLength(COUNT);
    expect(source.status).toBe('ready');
  });

  it('rejects a broken large file with its line, keeping the last good flags', async () => {
    const path = join(scratch.dir, 'flags.yaml');
    const good = largeFlagsFile(COUNT, 0);
    await writeFile(path, good);
    const source = fileSource(path, { debounceMs: 20 });
    scratch.open.push(source);
    await source.start({ logger: silentLogger });
    const events = recordEvents(source);
    await writeFile(path, `${good}  broken:\n    rollout: ten\n`);
    const error = await waitFor(
      () => events.find((event) => event.type === 'error'),
      'the error for the broken file',
      60_000,
    );
    const failure = (error as Extract<SourceEvent, { type: 'error' }>).error as FlagsFileError;
    expect(failure).toBeInstanceOf(FlagsFileError);
    expect(failure.line).toBe(good.split('\n').length + 1);
    expect(failure.message).toContain('broken.rollout must be a number from 0 to 100');
    expect(source.current()?.features).toHaveLength(COUNT);
    expect(source.status).toBe('stale');
  });

  it.runIf(process.platform === 'linux')(
    'keeps the last good flags when its parse process is killed, says which file, and loads the next change',
    async () => {
      const path = join(scratch.dir, 'flags.yaml');
      await writeFile(path, largeFlagsFile(COUNT, 0));
      const source = fileSource(path, { debounceMs: 20 });
      scratch.open.push(source);
      await source.start({ logger: silentLogger });
      await waitFor(() => parseProcesses().length === 0, 'the first parse process gone', 10_000);
      const events = recordEvents(source);

      await writeFile(path, largeFlagsFile(COUNT, 1));
      const [child] = await waitFor(
        () => parseProcesses().length > 0 && parseProcesses(),
        'the parse process of the reload',
        60_000,
      );
      process.kill(child.pid, 'SIGKILL');
      const error = await waitFor(
        () => events.find((event) => event.type === 'error'),
        'the error for the killed parse',
        60_000,
      );
      expect((error as Extract<SourceEvent, { type: 'error' }>).error).toMatchObject({
        code: 'SOURCE_FAILED',
        message: `${path}: could not be parsed: the process parsing it was killed (SIGKILL) before it was done`,
      });
      expect(rolloutOf(source.current())).toBe('7');
      expect(source.status).toBe('stale');

      await writeFile(path, largeFlagsFile(COUNT, 2));
      await waitFor(() => rolloutOf(source.current()) === '33', 'the next change loaded', 60_000);
      expect(source.status).toBe('ready');
    },
  );
});
