// A reload of a large set is compiled, indexed and diffed in slices across event-loop turns, then swapped in at
// once: requests are served meanwhile, each sees the old flags or the new ones and never a mix, newer definitions
// replace a reload still in slices, and close() stops one. Driven through a real fileSource over a real large
// flags.yaml in a temporary directory, and through a source on core's BaseSource where two deliveries must land
// within one reload. memorySource, whose changes are visible to the next read, swaps in at once whatever the size.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { largeFlagsFile } from '../../../../bench/lib/large-flags-file.js';
import { recordingLogger } from '../../../../test/support/logging.js';
import { parseProcesses } from '../../../../test/support/processes.js';
import { directoryPerTest } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { createFlags, type FlagsClient } from '../../src/client/flags-client.js';
import { compileFlags } from '../../src/engine/index.js';
import { silentLogger } from '../../src/logger.js';
import { diffDefinitions, type FlagsChange } from '../../src/snapshot/definitions-diff.js';
import { fileSource, memorySource } from '../../src/sources/index.js';
import { BaseSource } from '../../src/sources/source-base.js';
import type {
  ClientFeaturesPayload,
  FeatureDefinition,
  FlagContext,
  Logger,
  SourceEvent,
} from '../../src/types.js';

const scratch = directoryPerTest((client: FlagsClient) => client.close());

/** Well above the size from which reloads are sliced, and small enough to parse in about a second. */
const COUNT = 2000;
const CONTEXT: FlagContext = {
  userId: 'user-7',
  properties: { plan: 'pro', country: 'DE', appVersion: '3.0.0' },
};
const names = (count: number) => Array.from({ length: count }, (_, i) => `flag-${i}`);

async function clientOverFile(text: string, logger: Logger | false = silentLogger): Promise<FlagsClient> {
  const path = join(scratch.dir, 'flags.yaml');
  await writeFile(path, text);
  const client = createFlags({ source: fileSource(path, { debounceMs: 20 }), logger });
  scratch.open.push(client);
  await client.ready({ timeoutMs: 60_000 });
  return client;
}

/** Resolves with the definitions the next time the source delivers, from inside the delivery (after the client's listener). */
function nextDelivery(
  client: FlagsClient,
  during: (definitions: ClientFeaturesPayload) => void = () => {},
): Promise<ClientFeaturesPayload> {
  return new Promise((resolve) => {
    const unsubscribe = client.source.subscribe((event: SourceEvent) => {
      if (event.type !== 'definitions') return;
      unsubscribe();
      during(event.definitions);
      resolve(event.definitions);
    });
  });
}

/** Unleash definitions of `count` flags whose rollout depends on `generation` (after `extra`), for memorySource. */
function largeDefinitions(
  count: number,
  generation: number,
  extra: FeatureDefinition[] = [],
): ClientFeaturesPayload {
  const features: FeatureDefinition[] = names(count).map((name, i) => ({
    name,
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: String((i * 7 + generation * 13) % 101), stickiness: 'userId', groupId: name },
        constraints: [],
      },
    ],
    variants: [],
  }));
  return { version: 2, features: [...extra, ...features], segments: [] };
}

/** A source that is told what to deliver, and, like fileSource, lets the client reload large sets in slices. */
class PushedSource extends BaseSource {
  readonly name = 'pushed';
  readonly slicedReloads = true;
  constructor(initial: ClientFeaturesPayload) {
    super();
    this.setInitial(initial);
  }
  async start(): Promise<void> {
    this.setStatus('ready');
  }
  async stop(): Promise<void> {}
  deliver(definitions: ClientFeaturesPayload): void {
    this.publish(definitions);
  }
}

const answers = (read: (name: string) => boolean, count: number) => names(count).map(read);

/** Every changed, error and warn event the client emits from now on, in order. */
function saidBy(client: FlagsClient): string[] {
  const events: string[] = [];
  client.on('changed', () => events.push('changed'));
  client.on('error', (error) => events.push(`error ${error.message}`));
  client.on('warn', (message) => events.push(`warn ${message}`));
  return events;
}

describe('a large reload, in slices', { timeout: 120_000 }, () => {
  it('serves the old flags until every new flag is in, and never a mix of both', async () => {
    const client = await clientOverFile(largeFlagsFile(COUNT, 0));
    const before = client.definitions();
    const changes: FlagsChange[] = [];
    client.on('changed', (change) => changes.push(change));

    // Every turn, a request's flags are made; the next turn, all of them are read (across the swap, for one).
    const samples: boolean[][] = [];
    let pending = client.forContext(CONTEXT);
    let sampling = true;
    const sample = () => {
      const flags = pending;
      samples.push(answers((name) => flags.isEnabled(name as never), COUNT));
      pending = client.forContext(CONTEXT);
      if (sampling) setImmediate(sample);
    };
    setImmediate(sample);

    let servedOldAfterDelivery = false;
    let turnsDuringReload = 0;
    const delivered = nextDelivery(client, (definitions) => {
      servedOldAfterDelivery = client.definitions() === before && definitions !== before;
      const countTurns = () => {
        if (changes.length > 0) return;
        turnsDuringReload++;
        setImmediate(countTurns);
      };
      setImmediate(countTurns);
    });
    await writeFile(join(scratch.dir, 'flags.yaml'), largeFlagsFile(COUNT, 1));
    const after = await delivered;
    await waitFor(() => changes.length > 0, 'the changed event', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    sampling = false;

    expect(servedOldAfterDelivery).toBe(true);
    expect(turnsDuringReload).toBeGreaterThan(1);
    expect(client.definitions()).toBe(after);

    const old = compileFlags(before);
    const next = compileFlags(after);
    const oldAnswers = answers((name) => old.isEnabled(name, CONTEXT), COUNT);
    const newAnswers = answers((name) => next.isEnabled(name, CONTEXT), COUNT);
    // the two generations answer this context differently for many flags, so a mix would show
    expect(oldAnswers.filter((answer, i) => answer !== newAnswers[i]).length).toBeGreaterThan(COUNT / 10);
    const kinds = samples.map((answer) =>
      same(answer, oldAnswers) ? 'old' : same(answer, newAnswers) ? 'new' : 'mixed',
    );
    expect(kinds).not.toContain('mixed');
    expect(kinds).toContain('old');
    expect(kinds.at(-1)).toBe('new');
    expect(kinds.lastIndexOf('old')).toBeLessThan(kinds.indexOf('new'));
  });

  it('emits the same changed event and the same log lines as a reload that swaps in at once', async () => {
    const reload = async (count: number) => {
      const { logger, lines } = recordingLogger();
      const client = await clientOverFile(largeFlagsFile(count, 0), logger);
      const before = client.definitions();
      const changes: FlagsChange[] = [];
      client.on('changed', (change) => changes.push(change));
      const from = lines.length;
      await writeFile(join(scratch.dir, 'flags.yaml'), largeFlagsFile(count, 1));
      await waitFor(() => changes.length > 0, 'the changed event', 60_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await client.close();
      const shape = lines
        .slice(from)
        .map(
          (line) => `${line.level} ${line.message.replaceAll(scratch.dir, '<dir>').replace(/\d+/g, '<n>')}`,
        )
        .sort();
      return { changes, before, after: client.definitions(), shape };
    };
    const sliced = await reload(COUNT);
    const atOnce = await reload(10);

    expect(sliced.changes).toHaveLength(1);
    expect(sliced.changes[0].changed).toEqual(names(COUNT));
    expect(sliced.changes[0]).toEqual(
      diffDefinitions(compileFlags(sliced.before), compileFlags(sliced.after)),
    );
    expect(sliced.changes[0].flags[1].changes.map((change) => change.text)).toContain('rollout 7 → 20');
    expect(sliced.shape).toEqual(atOnce.shape);
    expect(sliced.shape).toEqual(['debug flagwise: <n> flags reloaded from file:<dir>/flags.yaml']);
  });

  it('says it recovered with the count of the flags that the reload brought', async () => {
    const { logger, lines } = recordingLogger();
    const client = await clientOverFile(largeFlagsFile(COUNT, 0), logger);
    const path = join(scratch.dir, 'flags.yaml');
    await writeFile(path, 'flags:\n  broken:\n    rollout: ten\n');
    await waitFor(() => client.status === 'stale', 'stale after the broken write', 60_000);
    const changes: FlagsChange[] = [];
    client.on('changed', (change) => changes.push(change));
    await writeFile(path, largeFlagsFile(COUNT + 500, 1));
    await waitFor(() => changes.length > 0, 'the changed event', 60_000);

    const recovered = lines.filter((line) => line.message.includes('recovered'));
    expect(recovered.map((line) => `${line.level} ${line.message}`)).toEqual([
      `info flagwise: file:${path} recovered: ${COUNT + 500} flags loaded`,
    ]);
    expect(changes[0].added).toHaveLength(500);
  });

  it('stops when the client is closed during the reload, leaving nothing scheduled', async () => {
    const client = await clientOverFile(largeFlagsFile(COUNT, 0));
    const before = client.definitions();
    const events = saidBy(client);
    const immediates = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Immediate').length;
    let whileReloading = 0;
    let afterClose = 0;
    const delivered = nextDelivery(client, () => {
      whileReloading = immediates();
      void client.close();
      afterClose = immediates();
    });
    await writeFile(join(scratch.dir, 'flags.yaml'), largeFlagsFile(COUNT, 1));
    await delivered;
    await new Promise((resolve) => setTimeout(resolve, 300));

    // the reload's next slice was scheduled, and close() took it back
    expect(whileReloading).toBeGreaterThan(0);
    expect(afterClose).toBe(whileReloading - 1);
    expect(events).toEqual([]);
    expect(client.definitions()).toBe(before);
  });

  it.runIf(process.platform === 'linux')(
    'stops the process parsing the file when the client is closed, and says nothing',
    async () => {
      const client = await clientOverFile(largeFlagsFile(COUNT, 0));
      const before = client.definitions();
      const events = saidBy(client);
      await waitFor(() => parseProcesses().length === 0, 'the first parse process gone', 10_000);
      // three times the flags: seconds of parsing, so a child that went on would still be there
      await writeFile(join(scratch.dir, 'flags.yaml'), largeFlagsFile(COUNT * 3, 1));
      await waitFor(() => parseProcesses().length > 0, 'the parse process of the reload', 60_000);

      await client.close();
      await waitFor(() => parseProcesses().length === 0, 'the parse process gone', 1000);
      await waitFor(
        () => !process.getActiveResourcesInfo().includes('ProcessWrap'),
        'no process handle left',
        1000,
      );
      expect(events).toEqual([]);
      expect(client.definitions()).toBe(before);
    },
  );

  it('drops a reload in slices when newer definitions arrive: the last delivered win, in order', async () => {
    const unknownStrategy: FeatureDefinition = {
      name: 'custom',
      enabled: true,
      strategies: [{ name: 'not-registered', parameters: {}, constraints: [] }],
      variants: [],
    };
    const source = new PushedSource(largeDefinitions(COUNT, 0));
    const client = createFlags({ source, logger: false });
    scratch.open.push(client);
    // the first load swaps in at once, whatever its size
    expect(client.isReady).toBe(true);
    const changes: FlagsChange[] = [];
    const warnings: string[] = [];
    client.on('changed', (change) => changes.push(change));
    client.on('warn', (message) => warnings.push(message));
    const rolloutOfFlag1 = () => client.feature('flag-1')?.strategies?.[0]?.parameters?.rollout;
    const seen = new Set<unknown>();
    let watching = true;
    const watch = () => {
      seen.add(rolloutOfFlag1());
      if (watching) setImmediate(watch);
    };

    source.deliver(largeDefinitions(COUNT, 1, [unknownStrategy]));
    expect(rolloutOfFlag1()).toBe('7');
    setImmediate(watch);
    await new Promise((resolve) => setImmediate(resolve));
    source.deliver(largeDefinitions(COUNT, 2));
    await waitFor(() => changes.length > 0, 'the changed event', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    watching = false;

    expect(changes).toHaveLength(1);
    expect(rolloutOfFlag1()).toBe('33');
    expect(seen).toEqual(new Set(['7', '33']));
    // nothing of the dropped reload was said or served
    expect(warnings).toEqual([]);
    expect(changes[0].added).toEqual([]);

    // a small set delivered during a large reload wins too, at once
    source.deliver(largeDefinitions(COUNT, 3));
    source.deliver(largeDefinitions(3, 4));
    expect(client.names()).toEqual(names(3));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.names()).toEqual(names(3));
    expect(changes.at(-1)?.removed).toHaveLength(COUNT - 3);
  });
});

describe('a large reload in slices with listeners that throw', () => {
  it('swaps in and logs the throw instead of crashing the process', async () => {
    const source = new PushedSource(largeDefinitions(COUNT, 0));
    const { logger, lines } = recordingLogger();
    const client = createFlags({ source, logger });
    scratch.open.push(client);
    client.on('changed', () => {
      throw new Error('a bug in a changed listener');
    });
    client.on('warn', () => {
      throw new Error('a bug in a warn listener');
    });
    const unknownStrategy: FeatureDefinition = {
      name: 'custom',
      enabled: true,
      strategies: [{ name: 'not-registered', parameters: {}, constraints: [] }],
      variants: [],
    };
    source.deliver(largeDefinitions(COUNT, 1, [unknownStrategy]));
    await waitFor(() => client.feature('custom') !== undefined, 'the reloaded flags', 30_000);
    await waitFor(
      () => lines.some((line) => line.message.includes('listener of the flags client threw')),
      'the logged throw',
    );

    expect(client.feature('flag-1')?.strategies?.[0]?.parameters?.rollout).toBe('20');
    expect(lines.some((line) => line.level === 'warn' && line.message.includes('not-registered'))).toBe(true);
    expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      'flagwise: a listener of the flags client threw during a reload',
    ]);
  });
});

describe('a large reload through memorySource', () => {
  it('is swapped in before replace() returns, as every memorySource change is', () => {
    const source = memorySource(largeDefinitions(COUNT, 0));
    const client = createFlags({ source, logger: false });
    scratch.open.push(client);
    const changes: FlagsChange[] = [];
    client.on('changed', (change) => changes.push(change));
    source.replace(largeDefinitions(COUNT, 1));
    expect(client.feature('flag-1')?.strategies?.[0]?.parameters?.rollout).toBe('20');
    expect(changes).toHaveLength(1);
    expect(changes[0].changed).toHaveLength(COUNT);
  });
});

function same(a: boolean[], b: boolean[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
