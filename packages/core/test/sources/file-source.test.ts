// fileSource against a real file system: startup, reloads (plain write, rename-and-replace, delete-and-recreate),
// invalid writes after startup, and stopping.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../../test/support/logging.js';
import { directoryPerTest, recordEvents, summary } from '../../../../test/support/sources.js';
import { waitFor } from '../../../../test/support/waiting.js';
import { FlagsFileError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { fileSource } from '../../src/sources/index.js';
import type { FlagSource, SourceEvent } from '../../src/types.js';

const scratch = directoryPerTest((source: FlagSource) => source.stop());

let flagsPath: string;

beforeEach(async () => {
  flagsPath = join(scratch.dir, 'flags.yaml');
});

async function startSource(path = flagsPath, options?: Parameters<typeof fileSource>[1]) {
  const source = fileSource(path, options);
  scratch.open.push(source);
  const events = recordEvents(source);
  const { logger, lines } = recordingLogger();
  await source.start({ logger });
  return { source, events, lines };
}

const errorsIn = (events: SourceEvent[]) =>
  events.flatMap((event) => (event.type === 'error' ? [event.error] : []));
const statusesIn = (events: SourceEvent[]) =>
  events.flatMap((event) => (event.type === 'status' ? [event.status] : []));

describe('fileSource: startup', () => {
  it('loads the file and is ready, named by its path, leaving the log line of the load to the client', async () => {
    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n  holiday-banner: false\n');
    const { source, events, lines } = await startSource();
    expect(source.status).toBe('ready');
    expect(summary(source)).toEqual(['dark-mode:true', 'holiday-banner:false']);
    expect(source.name).toBe(`file:${flagsPath}`);
    expect(events.map((event) => event.type)).toEqual(['definitions', 'status']);
    expect(lines).toEqual([]);
  });

  it('rejects a missing file with FLAGS_FILE_NOT_FOUND naming the path, and is failed', async () => {
    const missing = join(scratch.dir, 'nope.yaml');
    const source = fileSource(missing);
    const failure = await source.start({ logger: silentLogger }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FlagsFileError);
    expect((failure as FlagsFileError).code).toBe('FLAGS_FILE_NOT_FOUND');
    expect((failure as FlagsFileError).message).toContain(missing);
    expect(source.status).toBe('failed');
    expect(source.current()).toBeUndefined();
  });

  it('rejects an invalid file with the path, line and problem', async () => {
    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n  new-pricing:\n    rollout: ten\n');
    const source = fileSource(flagsPath);
    const failure = (await source
      .start({ logger: silentLogger })
      .catch((error: unknown) => error)) as FlagsFileError;
    expect(failure).toBeInstanceOf(FlagsFileError);
    expect(failure.path).toBe(flagsPath);
    expect(failure.line).toBe(4);
    expect(failure.message).toBe(
      `${flagsPath}:4:5: new-pricing.rollout must be a number from 0 to 100, got "ten"`,
    );
    expect(source.status).toBe('failed');
  });

  it('keeps watching a file that was invalid at start, and loads it once valid', async () => {
    await writeFile(flagsPath, 'flags:\n  dark-mode: maybe\n');
    const source = fileSource(flagsPath, { debounceMs: 20 });
    scratch.open.push(source);
    const events = recordEvents(source);
    await expect(source.start({ logger: silentLogger })).rejects.toBeInstanceOf(FlagsFileError);
    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n');
    await waitFor(() => source.status === 'ready', 'ready', 2000);
    expect(summary(source)).toEqual(['dark-mode:true']);
    expect(statusesIn(events)).toEqual(['failed', 'ready']);
    // The start's own rejection reported the first content; nothing was emitted for it again.
    expect(errorsIn(events)).toEqual([]);
  });

  it('reads Unleash client-features JSON', async () => {
    const jsonPath = join(scratch.dir, 'features.json');
    const payload = readFileSync(
      fileURLToPath(
        new URL('../../../../test/fixtures/unleash/unleash-client-features.json', import.meta.url),
      ),
      'utf8',
    );
    await writeFile(jsonPath, payload);
    const { source } = await startSource(jsonPath, { watch: false });
    expect(source.current()).toEqual(JSON.parse(payload));
  });

  it('passes on warnings as warn events', async () => {
    await writeFile(flagsPath, 'flags:\n  child: { requires: nowhere }\n');
    const { events } = await startSource();
    const warnings = events.flatMap((event) => (event.type === 'warn' ? [event.message] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"nowhere" is not defined');
  });

  it('rejects bad options at once, saying what to pass', () => {
    expect(() => fileSource('')).toThrow(/fileSource\(path\): path must be the path of a flags file/);
    expect(() => fileSource('flags.yaml', { debounceMs: -1 })).toThrow(/debounceMs must be a number/);
  });
});

describe('fileSource: reloading', () => {
  it('sees a plain write within 1 s', async () => {
    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n');
    const { source, events } = await startSource();
    await writeFile(flagsPath, 'flags:\n  dark-mode: false\n');
    await waitFor(() => summary(source).join() === 'dark-mode:false', 'dark-mode turned off');
    // The second write can only be seen through the watch (the source's re-read after startup is done).
    await writeFile(flagsPath, 'flags:\n  dark-mode: false\n  beta: true\n');
    await waitFor(() => summary(source).join() === 'dark-mode:false,beta:true', 'beta added');
    const definitionEvents = events.filter((event) => event.type === 'definitions');
    expect(definitionEvents.at(-1)).toEqual({ type: 'definitions', definitions: source.current() });
    expect(source.status).toBe('ready');
  });

  it("sees an editor's rename-and-replace save within 1 s", async () => {
    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n');
    const { source } = await startSource();
    const temporary = join(scratch.dir, '.flags.yaml.swp');
    await writeFile(temporary, 'flags:\n  dark-mode: true\n  new-pricing: { rollout: 10 }\n');
    await rename(temporary, flagsPath);
    await waitFor(() => summary(source).join() === 'dark-mode:true,new-pricing:true', 'new-pricing added');
    // A second save of the same kind is seen too: the watch survives the file being replaced.
    await writeFile(temporary, 'flags:\n  dark-mode: false\n');
    await rename(temporary, flagsPath);
    await waitFor(() => summary(source).join() === 'dark-mode:false', 'second rename seen');
  });

  it('sees a Kubernetes ConfigMap update (the ..data symlink swapped to a new directory)', async () => {
    // The layout the kubelet keeps: flags.yaml → ..data/flags.yaml, ..data → ..<timestamp>/
    await mkdir(join(scratch.dir, '..v1'));
    await writeFile(join(scratch.dir, '..v1', 'flags.yaml'), 'flags:\n  a: true\n');
    await symlink('..v1', join(scratch.dir, '..data'));
    await symlink(join('..data', 'flags.yaml'), flagsPath);
    const { source } = await startSource();
    expect(summary(source)).toEqual(['a:true']);
    const publish = async (version: string, text: string) => {
      await mkdir(join(scratch.dir, version));
      await writeFile(join(scratch.dir, version, 'flags.yaml'), text);
      await symlink(version, join(scratch.dir, '..data_tmp'));
      await rename(join(scratch.dir, '..data_tmp'), join(scratch.dir, '..data'));
    };
    await publish('..v2', 'flags:\n  a: false\n');
    await waitFor(() => summary(source).join() === 'a:false', 'the second ConfigMap version');
    // Only the watch can see this one (the source's own re-read after startup is long done).
    await publish('..v3', 'flags:\n  b: true\n');
    await waitFor(() => summary(source).join() === 'b:true', 'the third ConfigMap version');
  });

  it('sees a file deleted and written anew', async () => {
    await writeFile(flagsPath, 'flags:\n  a: true\n');
    const { source } = await startSource();
    await rm(flagsPath);
    await writeFile(flagsPath, 'flags:\n  b: true\n');
    await waitFor(() => summary(source).join() === 'b:true', 'b loaded');
    expect(source.status).toBe('ready');
  });

  it('keeps the last good flags after an invalid write, is stale with an error carrying the line, then recovers', async () => {
    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n');
    const { source, events } = await startSource();
    const good = source.current();

    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n  new-pricing:\n    rollout: ten\n');
    const [error] = await waitFor(
      () => errorsIn(events).length > 0 && errorsIn(events),
      'an error event',
      2000,
    );
    expect(error).toBeInstanceOf(FlagsFileError);
    expect((error as FlagsFileError).line).toBe(4);
    expect((error as FlagsFileError).column).toBe(5);
    expect(error.message).toContain('new-pricing.rollout must be a number from 0 to 100, got "ten"');
    expect(source.status).toBe('stale');
    expect(source.current()).toBe(good);
    const staleEvent = events.find((event) => event.type === 'status' && event.status === 'stale');
    expect(staleEvent).toMatchObject({ reason: expect.stringContaining('new-pricing.rollout') });

    await writeFile(flagsPath, 'flags:\n  dark-mode: true\n  new-pricing:\n    rollout: 10\n');
    await waitFor(() => source.status === 'ready', 'ready again');
    expect(summary(source)).toEqual(['dark-mode:true', 'new-pricing:true']);
    expect(statusesIn(events)).toEqual(['ready', 'stale', 'ready']);
    expect(errorsIn(events)).toHaveLength(1);
  });

  it('is ready again when the file is put back to the last good content', async () => {
    const goodText = 'flags:\n  dark-mode: true\n';
    await writeFile(flagsPath, goodText);
    const { source, events } = await startSource();
    await writeFile(flagsPath, 'flags:\n  dark-mode: maybe\n');
    await waitFor(() => source.status === 'stale', 'stale', 2000);
    await writeFile(flagsPath, goodText);
    await waitFor(() => source.status === 'ready', 'ready again');
    expect(events.filter((event) => event.type === 'definitions')).toHaveLength(1);
  });

  it('does not reload with watch: false', async () => {
    await writeFile(flagsPath, 'flags:\n  a: true\n');
    const { source } = await startSource(flagsPath, { watch: false });
    // A watching source on the same file is the witness that the change was visible on disk.
    const { source: witness } = await startSource();
    await writeFile(flagsPath, 'flags:\n  a: false\n');
    await waitFor(() => summary(witness).join() === 'a:false', 'the witness reloaded');
    expect(summary(source)).toEqual(['a:true']);
  });
});

describe('fileSource: stopping', () => {
  it('stops reloading after stop()', async () => {
    await writeFile(flagsPath, 'flags:\n  a: true\n');
    const { source, events } = await startSource();
    await source.stop();
    const eventsAtStop = events.length;
    const { source: witness } = await startSource();
    await writeFile(flagsPath, 'flags:\n  a: false\n');
    await waitFor(() => summary(witness).join() === 'a:false', 'the witness reloaded');
    expect(summary(source)).toEqual(['a:true']);
    expect(events).toHaveLength(eventsAtStop);
  });

  it.runIf(process.platform === 'linux')('closes its watch on stop()', async () => {
    await writeFile(flagsPath, 'flags:\n  a: true\n');
    expect(inotifyWatchesOn(scratch.dir)).toBe(0);
    const { source } = await startSource();
    expect(inotifyWatchesOn(scratch.dir)).toBe(1);
    await source.stop();
    await waitFor(() => inotifyWatchesOn(scratch.dir) === 0, 'the watch closed');
  });

  it('leaves nothing that keeps a process alive', () => {
    // A separate process starts a watching source, sees a reload, stops it, and must then exit on its own.
    const script = fileURLToPath(new URL('../fixtures/watch-and-stop.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', script, flagsPath], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('reloaded, stopped');
    expect(result.status).toBe(0);
  });
});

/** Linux inotify watches this process holds on `path` (from /proc/self/fdinfo), to see a watcher really closed. */
function inotifyWatchesOn(path: string): number {
  const inode = ` ino:${statSync(path).ino.toString(16)} `;
  let count = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed while listing
    }
    for (const line of info.split('\n')) if (line.startsWith('inotify') && line.includes(inode)) count++;
  }
  return count;
}
