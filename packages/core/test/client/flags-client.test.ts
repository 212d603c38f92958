import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { payload, simpleFlag } from '../../../../test/support/definitions.js';
import { failingSource, hangingSource } from '../../../../test/support/sources.js';
import {
  createFlags,
  type FlagSource,
  type FlagsChange,
  FlagwiseError,
  type ImpressionEvent,
  inlineSource,
  memorySource,
  type SourceListener,
} from '../../src/index.js';

describe('client lifecycle', () => {
  it('is ready once the source delivered definitions', async () => {
    const client = createFlags({ source: inlineSource(payload([simpleFlag('a', true)])) });
    expect(client.status).toBe('starting');
    await client.ready({ timeoutMs: 1000 });
    expect(client.status).toBe('ready');
    expect(client.isEnabled('a')).toBe(true);
    await client.close();
  });

  it('rejects ready() with the reason when the source fails', async () => {
    const client = createFlags({ source: failingSource('the API token was refused (401)') });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    await expect(client.ready({ timeoutMs: 1000 })).rejects.toThrow(/API token was refused/);
    expect(client.status).toBe('failed');
    expect(errors).toHaveLength(1);
    await client.close();
  });

  it('never hangs: ready() rejects after its timeout, and close() releases it', async () => {
    const client = createFlags({ source: hangingSource() });
    const error = await client.ready({ timeoutMs: 50 }).catch((e: FlagwiseError) => e);
    expect(error).toBeInstanceOf(FlagwiseError);
    expect((error as FlagwiseError).code).toBe('READY_TIMEOUT');
    expect((error as Error).message).toMatch(/hanging.*50 ms/);
    const pending = client.ready({ timeoutMs: 60_000 });
    const closing = client.close();
    await expect(pending).rejects.toThrow(/closed/);
    await closing; // resolves although the source's start never settles
  });

  it('emits ready, then changed with a per-flag diff', async () => {
    const source = memorySource(
      payload([simpleFlag('kept', true), simpleFlag('edited', true), simpleFlag('gone', true)]),
    );
    const client = createFlags({ source });
    let readyEvents = 0;
    const changes: FlagsChange[] = [];
    client.on('ready', () => readyEvents++);
    client.on('changed', (change) => changes.push(change));
    await client.ready();
    source.replace(payload([simpleFlag('kept', true), simpleFlag('edited', false), simpleFlag('new', true)]));
    expect(readyEvents).toBe(1);
    expect(changes).toMatchObject([{ added: ['new'], removed: ['gone'], changed: ['edited'] }]);
    await client.close();
  });

  it('reports a flag as changed when a segment it uses changes', async () => {
    const segmented = simpleFlag('segmented', true, {
      strategies: [{ name: 'default', parameters: {}, constraints: [], segments: [7] }],
    });
    const segment = (plans: string[]) => [
      { id: 7, name: 'paying', constraints: [{ contextName: 'plan', operator: 'IN', values: plans }] },
    ];
    const source = memorySource(payload([segmented, simpleFlag('plain', true)], segment(['pro'])));
    const client = createFlags({ source });
    const changes: FlagsChange[] = [];
    client.on('changed', (change) => changes.push(change));
    await client.ready();
    expect(client.isEnabled('segmented', { properties: { plan: 'team' } })).toBe(false);
    source.replace(payload([segmented, simpleFlag('plain', true)], segment(['pro', 'team'])));
    expect(changes).toMatchObject([{ added: [], removed: [], changed: ['segmented'] }]);
    expect(changes[0].flags[0].changes[0].text).toMatch(/^segment /);
    expect(client.isEnabled('segmented', { properties: { plan: 'team' } })).toBe(true);
    await client.close();
  });

  it('emits impression events in Unleash shape for flags with impressionData only', async () => {
    const source = memorySource(
      payload([
        simpleFlag('tracked', true, {
          impressionData: true,
          variants: [{ name: 'v', weight: 1000, weightType: 'variable', stickiness: 'default' }],
        }),
        simpleFlag('quiet', true),
      ]),
    );
    const client = createFlags({ source, appName: 'shop', environment: 'production' });
    const impressions: ImpressionEvent[] = [];
    client.on('impression', (event) => impressions.push(event));
    await client.ready();
    client.isEnabled('tracked', { userId: '1' });
    client.getVariant('tracked', { userId: '1' });
    client.isEnabled('quiet', { userId: '1' });
    client.forContext({ userId: '2' }).tracked;
    expect(impressions.map((e) => [e.eventType, e.featureName, e.enabled, e.variant])).toEqual([
      ['isEnabled', 'tracked', true, undefined],
      ['getVariant', 'tracked', true, 'v'],
      ['isEnabled', 'tracked', true, undefined],
    ]);
    expect(impressions[0].context).toEqual({ appName: 'shop', environment: 'production', userId: '1' });
    expect(impressions[0].eventId).toMatch(/^[0-9a-f-]{36}$/);
    await client.close();
  });

  it('merges static context (appName, environment) into every evaluation', async () => {
    const source = inlineSource(
      payload([
        simpleFlag('staging-only', true, {
          strategies: [
            {
              name: 'default',
              parameters: {},
              constraints: [{ contextName: 'environment', operator: 'IN', values: ['staging'] }],
            },
          ],
        }),
      ]),
    );
    const staging = createFlags({ source, environment: 'staging' });
    await staging.ready();
    expect(staging.isEnabled('staging-only')).toBe(true);
    expect(staging.isEnabled('staging-only', { environment: 'production' })).toBe(false);
    await staging.close();
  });

  it('logs through the injected logger and writes nothing to the console', async () => {
    const lines: string[] = [];
    const logger = {
      debug: (o: unknown, m?: string) => lines.push(`debug ${m ?? o}`),
      info: (o: unknown, m?: string) => lines.push(`info ${m ?? o}`),
      warn: (o: unknown, m?: string) => lines.push(`warn ${m ?? o}`),
      error: (o: unknown, m?: string) => lines.push(`error ${m ?? o}`),
    };
    const client = createFlags({ source: memorySource(payload([simpleFlag('a', true)])), logger });
    await client.ready();
    client.forContext({}).missingOne;
    expect(lines.some((l) => l.startsWith('info') && l.includes('1 flag loaded'))).toBe(true);
    expect(lines.some((l) => l.startsWith('warn') && l.includes('"missingOne"'))).toBe(true);
    await client.close();
  });

  it('evaluates every flag for one context', async () => {
    const client = createFlags({
      source: inlineSource(payload([simpleFlag('a', true), simpleFlag('b', false)])),
    });
    await client.ready();
    const all = client.evaluateAll({ userId: '1' });
    expect(Object.keys(all).sort()).toEqual(['a', 'b']);
    expect(all.a.enabled).toBe(true);
    expect(all.b).toMatchObject({ enabled: false, variant: { name: 'disabled', enabled: false } });
    await client.close();
  });

  it('keeps the last good version of a flag when an update breaks it', async () => {
    const source = memorySource(payload([simpleFlag('a', true), simpleFlag('b', true)]));
    const client = createFlags({ source });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    await client.ready();
    const broken = { name: 'a', enabled: true, strategies: 'not-a-list' } as any;
    source.replace(payload([broken, simpleFlag('b', false)]));
    expect(client.isEnabled('a')).toBe(true);
    expect(client.isEnabled('b')).toBe(false);
    expect(errors.map((e) => e.message).join()).toMatch(/flag "a"/);
    await client.close();
  });

  it('says which files it looked for when no source is given and none exists', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flagwise-empty-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(() => createFlags()).toThrow(/flags\.yaml/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('lets a process that creates and closes clients exit on its own', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flagwise-exit-'));
    writeFileSync(path.join(dir, 'flags.yaml'), 'flags:\n  dark-mode: true\n');
    const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/index.ts');
    const script = `
      const { createFlags, fileSource, memorySource } = await import(${JSON.stringify(entry)});
      for (let i = 0; i < 3; i++) {
        const a = createFlags({ logger: false, source: fileSource(${JSON.stringify(path.join(dir, 'flags.yaml'))}) });
        await a.ready({ timeoutMs: 5000 });
        if (!a.isEnabled('dark-mode')) process.exit(3);
        await a.close();
        const b = createFlags({ logger: false, source: memorySource() });
        await b.ready({ timeoutMs: 5000 });
        await b.close();
      }
      console.log('done');`;
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('done');
    expect(result.status).toBe(0);
  });
});

describe('listener hygiene', () => {
  it('unsubscribes from its source on close', async () => {
    const listeners = new Set<SourceListener>();
    const inner = memorySource(payload([simpleFlag('a', true)]));
    const source: FlagSource = {
      name: 'counted',
      get status() {
        return inner.status;
      },
      start: (ctx) => inner.start(ctx),
      stop: () => inner.stop(),
      current: () => inner.current(),
      subscribe(listener) {
        listeners.add(listener);
        const off = inner.subscribe(listener);
        return () => {
          listeners.delete(listener);
          off();
        };
      },
    };
    const client = createFlags({ source });
    await client.ready();
    expect(listeners.size).toBe(1);
    await client.close();
    expect(listeners.size).toBe(0);
  });
});
