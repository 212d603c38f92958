// A large flags file is parsed in a child process below the app's priority, and what comes back is what
// parseFlagsFile gives, values JSON cannot write included. A child killed while it parses makes a clear error that
// names the file; an aborted parse stops its child. Real child processes, seen and killed through /proc.
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { largeFlagsFile } from '../../../../bench/lib/large-flags-file.js';
import { parseProcesses } from '../../../../test/support/processes.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { FlagwiseError } from '../../src/errors.js';
import { parseFlagsFile } from '../../src/flags-file/parse-flags-file.js';
import { OFF_THREAD_MIN_LENGTH, parseFlagsFileOffThread } from '../../src/flags-file/parse-off-thread.js';

/** About 1 MB: a second or more of parsing on a busy machine, long enough to see the child at work. */
const COUNT = 2000;

afterEach(() => {
  for (const child of parseProcesses()) process.kill(child.pid, 'SIGKILL');
});

/** Unleash client features in YAML, large enough to be parsed off the thread, with values JSON writes otherwise. */
function clientFeaturesWithUnusualNumbers(): string {
  const lines = ['version: 2', 'features:'];
  for (let i = 0; lines.join('\n').length < OFF_THREAD_MIN_LENGTH * 2; i++) {
    lines.push(
      `  - name: flag-${i}`,
      '    enabled: true',
      '    strategies: [{ name: default, parameters: {} }]',
      '    impressionData: false',
    );
  }
  lines.push(
    '  - name: unusual',
    '    enabled: true',
    '    strategies: [{ name: default, parameters: {} }]',
    '    custom: { nan: .nan, infinity: .inf, negativeZero: -0.0 }',
  );
  return `${lines.join('\n')}\n`;
}

describe.runIf(process.platform === 'linux')('parseFlagsFileOffThread', { timeout: 120_000 }, () => {
  it('parses in a child process ten steps below this one, giving what parseFlagsFile gives', async () => {
    const text = largeFlagsFile(COUNT, 0);
    const priorities = new Set<number>();
    let parsing = true;
    const watching = (async () => {
      while (parsing) {
        for (const child of parseProcesses()) priorities.add(child.nice);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const parsed = await parseFlagsFileOffThread(text, 'flags.yaml').finally(() => {
      parsing = false;
    });
    await watching;

    expect(parsed).toEqual(parseFlagsFile(text, 'flags.yaml'));
    expect(Math.max(...priorities)).toBe(Math.min(getPriority() + 10, 19));
    await waitFor(() => parseProcesses().length === 0, 'the parse process gone');
  });

  it('brings back the values JSON would change (NaN, Infinity, -0) as they are', async () => {
    const text = clientFeaturesWithUnusualNumbers();
    const parsed = await parseFlagsFileOffThread(text, 'flags.yaml');
    const custom = parsed.definitions.features.at(-1) as unknown as { custom: Record<string, number> };
    expect(custom.custom.nan).toBeNaN();
    expect(custom.custom.infinity).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(custom.custom.negativeZero, -0)).toBe(true);
    expect(parsed).toEqual(parseFlagsFile(text, 'flags.yaml'));
  });

  it('says which file could not be parsed, and how, when its child process is killed', async () => {
    const parsing = parseFlagsFileOffThread(largeFlagsFile(COUNT, 0), 'config/flags.yaml');
    const failure = parsing.then(
      () => undefined,
      (error: unknown) => error,
    );
    const [child] = await waitFor(() => parseProcesses().length > 0 && parseProcesses(), 'the parse process');
    process.kill(child.pid, 'SIGKILL');
    const error = await failure;
    expect(error).toBeInstanceOf(FlagwiseError);
    expect(error).toMatchObject({
      code: 'SOURCE_FAILED',
      message:
        'config/flags.yaml: could not be parsed: the process parsing it was killed (SIGKILL) before it was done',
    });
  });

  it('stops its child process when the signal aborts', async () => {
    const controller = new AbortController();
    const parsing = parseFlagsFileOffThread(largeFlagsFile(COUNT, 0), 'flags.yaml', {}, controller.signal);
    const failure = parsing.then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(() => parseProcesses().length > 0, 'the parse process');
    controller.abort(new Error('stopped'));
    expect(await failure).toEqual(new Error('stopped'));
    await waitFor(() => parseProcesses().length === 0, 'the parse process gone');
  });
});
