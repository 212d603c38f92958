// FlagwiseProvider through OpenFeature's public API only: setProviderAndWait, getClient, get*Details and event
// handlers, over a real flags file, in-code Unleash definitions and a loopback Unleash that starts failing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, createFlags, fileSource, inlineSource, memorySource } from '@flagwise/core';
import { unleashSource } from '@flagwise/unleash';
import {
  type EventDetails,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
  type ServerProviderEvents,
} from '@openfeature/server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackServer, waitFor } from '../../unleash/test/helpers/loopback-server.js';
import { FlagwiseProvider } from '../src/index.js';

const FLAGS_YAML = `
flags:
  everyone: true
  switched-off: false
  pro-only:
    when: { plan: [pro] }
  half:
    rollout: 50
  qa-only:
    users: [qa-1]
  copy:
    variants: { control: 50, short: 50 }
  single-copy:
    variant: short
  price:
    variants:
      tier: { payload: 42 }
  theme:
    variants:
      dark: { payload: { color: black, contrast: 7 } }
      light: { payload: { color: white, contrast: 3 }, users: [u-light] }
  columns:
    variants:
      wide: { payload: { type: csv, value: "a, b,c" } }
  greeting:
    variants:
      hello: { payload: hello there }
`;

let dir: string;
let flagsPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flagwise-openfeature-'));
  flagsPath = join(dir, 'flags.yaml');
  await writeFile(flagsPath, FLAGS_YAML);
});

afterEach(async () => {
  await OpenFeature.close();
  await rm(dir, { recursive: true, force: true });
});

/** unleashSource on a loopback server: polls every 50 ms, no backup file, no metrics. */
function loopbackUnleash(url: string) {
  return unleashSource({
    url: `${url}/api`,
    apiToken: 'default:development.x',
    appName: 'of-test',
    refreshInterval: 50,
    backupPath: false,
    metrics: false,
  });
}

async function clientOn(provider: FlagwiseProvider, domain = 'test') {
  await OpenFeature.setProviderAndWait(domain, provider);
  return OpenFeature.getClient(domain);
}

describe('FlagwiseProvider: values of every type', () => {
  it('boolean: the enabled state, with TARGETING_MATCH, SPLIT, STATIC, DISABLED and DEFAULT', async () => {
    const client = await clientOn(new FlagwiseProvider({ source: fileSource(flagsPath, { watch: false }) }));
    const everyone = await client.getBooleanDetails('everyone', false);
    expect(everyone).toMatchObject({ value: true, reason: 'STATIC', flagKey: 'everyone' });
    expect(everyone.errorCode).toBeUndefined();
    expect(everyone.flagMetadata).toMatchObject({ reason: 'strategy-matched', enabled: true });

    expect(await client.getBooleanDetails('switched-off', true)).toMatchObject({
      value: false,
      reason: 'DISABLED',
      flagMetadata: { reason: 'disabled' },
    });
    expect(await client.getBooleanDetails('pro-only', false, { plan: 'pro' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      flagMetadata: { strategyIndex: 0, strategyName: 'flexibleRollout' },
    });
    expect(await client.getBooleanDetails('pro-only', true, { plan: 'free' })).toMatchObject({
      value: false,
      reason: 'DEFAULT',
      flagMetadata: { reason: 'no-strategy-matched' },
    });
    const halves = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client.getBooleanDetails('half', false, { targetingKey: `u${i}` }),
      ),
    );
    expect(new Set(halves.map((details) => details.reason))).toEqual(new Set(['SPLIT', 'DEFAULT']));
    expect(halves.filter((details) => details.value).length).toBeGreaterThan(5);
    expect(halves.filter((details) => !details.value).length).toBeGreaterThan(5);
    expect(await client.getBooleanDetails('qa-only', false, { targetingKey: 'qa-1' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
  });

  it('string: the variant name, SPLIT for a weighted choice and STATIC for the only variant', async () => {
    const client = await clientOn(new FlagwiseProvider({ source: fileSource(flagsPath, { watch: false }) }));
    const names = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const details = await client.getStringDetails('copy', 'none', { targetingKey: `user-${i}` });
      expect(details.reason).toBe('SPLIT');
      expect(details.variant).toBe(details.value);
      names.add(details.value);
    }
    expect(names).toEqual(new Set(['control', 'short']));
    expect(await client.getStringDetails('single-copy', 'none')).toMatchObject({
      value: 'short',
      variant: 'short',
      reason: 'STATIC',
    });
    // On, but no variant to name: the caller's default.
    expect(await client.getStringDetails('everyone', 'fallback')).toMatchObject({
      value: 'fallback',
      reason: 'DEFAULT',
    });
    expect(await client.getStringDetails('switched-off', 'fallback')).toMatchObject({
      value: 'fallback',
      reason: 'DISABLED',
    });
  });

  it('number and object: the variant payload, parsed by its type', async () => {
    const client = await clientOn(new FlagwiseProvider({ source: fileSource(flagsPath, { watch: false }) }));
    expect(await client.getNumberDetails('price', 0)).toMatchObject({
      value: 42,
      variant: 'tier',
      reason: 'STATIC',
    });
    const dark = await client.getObjectDetails('theme', {}, { targetingKey: 'someone' });
    expect(dark.value).toEqual(
      dark.variant === 'dark' ? { color: 'black', contrast: 7 } : { color: 'white', contrast: 3 },
    );
    expect(await client.getObjectDetails('theme', {}, { targetingKey: 'u-light' })).toMatchObject({
      value: { color: 'white', contrast: 3 },
      variant: 'light',
      reason: 'TARGETING_MATCH',
    });
    expect(await client.getObjectDetails('columns', [])).toMatchObject({ value: ['a', 'b', 'c'] });
    expect(await client.getObjectDetails('switched-off', { off: true })).toMatchObject({
      value: { off: true },
      reason: 'DISABLED',
    });
  });
});

describe('FlagwiseProvider: error codes', () => {
  it('FLAG_NOT_FOUND for an unknown flag, with the default value and flagwise detail', async () => {
    const client = await clientOn(new FlagwiseProvider({ source: fileSource(flagsPath, { watch: false }) }));
    const details = await client.getBooleanDetails('no-such-flag', true);
    expect(details).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      flagMetadata: { reason: 'not-found' },
    });
    expect(details.errorMessage).toContain('no-such-flag');
  });

  it('TYPE_MISMATCH when the payload is not of the asked type, or there is none', async () => {
    const client = await clientOn(new FlagwiseProvider({ source: fileSource(flagsPath, { watch: false }) }));
    const asNumber = await client.getNumberDetails('greeting', 7);
    expect(asNumber).toMatchObject({ value: 7, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(asNumber.errorMessage).toContain('string payload, not a number');
    expect(await client.getObjectDetails('price', { x: 1 })).toMatchObject({
      value: { x: 1 },
      errorCode: 'TYPE_MISMATCH',
    });
    expect(await client.getNumberDetails('single-copy', 3)).toMatchObject({
      value: 3,
      errorCode: 'TYPE_MISMATCH',
    });
  });

  it('PARSE_ERROR for a rejected definition and for a payload that does not parse as its type', async () => {
    const source = inlineSource({
      version: 2,
      features: [
        { name: 'broken', enabled: true, strategies: 'not a list' as never },
        {
          name: 'bad-json',
          enabled: true,
          strategies: [],
          variants: [{ name: 'v', weight: 1000, payload: { type: 'json', value: '{"open": ' } }],
        },
        {
          name: 'bad-number',
          enabled: true,
          strategies: [],
          variants: [{ name: 'v', weight: 1000, payload: { type: 'number', value: 'ten' } }],
        },
      ],
    });
    const client = await clientOn(new FlagwiseProvider({ source }));
    const broken = await client.getBooleanDetails('broken', true);
    expect(broken).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(broken.errorMessage).toContain('strategies');
    expect(await client.getObjectDetails('bad-json', { ok: 1 })).toMatchObject({
      value: { ok: 1 },
      errorCode: 'PARSE_ERROR',
    });
    const badNumber = await client.getNumberDetails('bad-number', 5);
    expect(badNumber).toMatchObject({ value: 5, errorCode: 'PARSE_ERROR' });
    expect(badNumber.errorMessage).toContain('"ten" is not a number');
  });

  it('PROVIDER_NOT_READY while the flags have not loaded: initialize gives up after readyTimeoutMs', async () => {
    const server = await startLoopbackServer(() => ({ status: 503, body: 'down' }));
    try {
      const provider = new FlagwiseProvider({
        source: loopbackUnleash(server.url),
        readyTimeoutMs: 300,
      });
      const started = Date.now();
      await expect(OpenFeature.setProviderAndWait('down', provider)).rejects.toThrow(
        /not ready after 300 ms/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      const client = OpenFeature.getClient('down');
      expect(client.providerStatus).toBe(ProviderStatus.ERROR);
      const details = await client.getBooleanDetails('anything', true);
      expect(details).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' });
      expect(details.errorMessage).toContain('have not loaded yet');
    } finally {
      await OpenFeature.close();
      await server.close();
    }
  });
});

describe('FlagwiseProvider: evaluation context', () => {
  const contextFlags = inlineSource({
    flags: {
      'by-user': { users: ['user-7'] },
      'by-session': { when: { sessionId: ['s-1'] } },
      'by-ip': { when: { remoteAddress: ['10.0.0.9'] } },
      'by-env': { when: { environment: ['staging'] } },
      'by-app': { when: { appName: ['shop'] } },
      'by-plan': { when: { plan: ['pro'] } },
      'by-seats': { when: { seats: { gt: 10 } } },
      'by-time': { when: { currentTime: { after: '2030-01-01T00:00:00.000Z' } } },
    },
  });

  it('maps targetingKey to userId and the Unleash fields by name; the rest become properties', async () => {
    const client = await clientOn(new FlagwiseProvider({ source: contextFlags }));
    const value = (flag: string, context: Record<string, unknown>) =>
      client.getBooleanValue(flag, false, context as never);
    expect(await value('by-user', { targetingKey: 'user-7' })).toBe(true);
    expect(await value('by-user', { targetingKey: 'user-8' })).toBe(false);
    expect(await value('by-user', { targetingKey: 'user-8', userId: 'user-7' })).toBe(true);
    expect(await value('by-user', { userId: 'user-8', targetingKey: 'user-7' })).toBe(false);
    expect(await value('by-session', { sessionId: 's-1' })).toBe(true);
    expect(await value('by-ip', { remoteAddress: '10.0.0.9' })).toBe(true);
    expect(await value('by-env', { environment: 'staging' })).toBe(true);
    expect(await value('by-app', { appName: 'shop' })).toBe(true);
    expect(await value('by-plan', { plan: 'pro' })).toBe(true);
    expect(await value('by-plan', { properties: { plan: 'pro' } })).toBe(true);
    expect(await value('by-plan', { plan: 'free' })).toBe(false);
    expect(await value('by-seats', { seats: 11 })).toBe(true);
    expect(await value('by-seats', { seats: 9 })).toBe(false);
    expect(await value('by-time', { currentTime: new Date('2031-05-01T00:00:00Z') })).toBe(true);
    expect(await value('by-time', { currentTime: '2029-05-01T00:00:00Z' })).toBe(false);
    // Objects and arrays are no Unleash values: left out, never a crash.
    expect(await value('by-plan', { plan: { nested: 'pro' }, tags: ['pro'] })).toBe(false);
  });

  it('merges the global, client and invocation contexts as OpenFeature does', async () => {
    const client = await clientOn(new FlagwiseProvider({ source: contextFlags }));
    OpenFeature.setContext({ appName: 'shop' });
    client.setContext({ plan: 'pro' });
    try {
      expect(await client.getBooleanValue('by-app', false)).toBe(true);
      expect(await client.getBooleanValue('by-plan', false)).toBe(true);
      expect(await client.getBooleanValue('by-plan', false, { plan: 'free' })).toBe(false);
    } finally {
      OpenFeature.setContext({});
    }
  });
});

describe('FlagwiseProvider: events', () => {
  it('CONFIGURATION_CHANGED with the changed keys on a flags.yaml edit; STALE on a bad edit, READY after', async () => {
    const provider = new FlagwiseProvider({ source: fileSource(flagsPath, { debounceMs: 20 }) });
    const client = await clientOn(provider);
    const seen: Array<[string, EventDetails<ServerProviderEvents>]> = [];
    for (const event of [
      ProviderEvents.ConfigurationChanged,
      ProviderEvents.Stale,
      ProviderEvents.Ready,
      ProviderEvents.Error,
    ]) {
      client.addHandler(event, (details) =>
        seen.push([event, details as EventDetails<ServerProviderEvents>]),
      );
    }
    seen.length = 0; // a handler added on a ready provider runs once at once

    await writeFile(flagsPath, FLAGS_YAML.replace('switched-off: false', 'switched-off: true'));
    await waitFor(() => seen.length > 0, 'CONFIGURATION_CHANGED');
    expect(seen[0][0]).toBe(ProviderEvents.ConfigurationChanged);
    expect(seen[0][1].flagsChanged).toEqual(['switched-off']);
    expect(await client.getBooleanValue('switched-off', false)).toBe(true);

    await writeFile(flagsPath, 'flags:\n  everyone: { rollout: ten }\n');
    await waitFor(() => seen.length > 1, 'STALE');
    expect(seen[1][0]).toBe(ProviderEvents.Stale);
    expect(seen[1][1].message).toContain('rollout');
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    // The last good flags keep answering.
    expect(await client.getBooleanValue('switched-off', false)).toBe(true);

    await writeFile(flagsPath, `${FLAGS_YAML}  added-later: true\n`);
    await waitFor(() => seen.some(([event]) => event === ProviderEvents.Ready), 'READY');
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    const changed = seen.find(([event], i) => i > 1 && event === ProviderEvents.ConfigurationChanged);
    expect(changed?.[1].flagsChanged).toEqual(expect.arrayContaining(['added-later', 'switched-off']));
    expect(seen.some(([event]) => event === ProviderEvents.Error)).toBe(false);
  });

  it('STALE when Unleash starts failing, READY when it answers again, and flags keep answering', async () => {
    const body = {
      version: 2,
      features: [{ name: 'remote', enabled: true, strategies: [{ name: 'default' }] }],
    };
    let failing = false;
    const server = await startLoopbackServer((request) =>
      failing
        ? { status: 500, body: 'boom' }
        : request.path.startsWith('/api/client/features')
          ? { status: 200, body }
          : { status: 202 },
    );
    try {
      const provider = new FlagwiseProvider({
        source: loopbackUnleash(server.url),
      });
      const client = await clientOn(provider, 'unleash');
      const seen: string[] = [];
      client.addHandler(ProviderEvents.Stale, () => seen.push('stale'));
      client.addHandler(ProviderEvents.Ready, () => seen.push('ready'));
      seen.length = 0;
      failing = true;
      await waitFor(() => seen.includes('stale'), 'STALE', 5000);
      expect(client.providerStatus).toBe(ProviderStatus.STALE);
      expect(await client.getBooleanValue('remote', false)).toBe(true);
      failing = false;
      await waitFor(() => seen.includes('ready'), 'READY', 5000);
      expect(client.providerStatus).toBe(ProviderStatus.READY);
      expect(seen).toEqual(['stale', 'ready']);
    } finally {
      await OpenFeature.close();
      await server.close();
    }
  });

  it('READY once flags that were late at initialize load after all', async () => {
    const server = await startLoopbackServer(() => ({ status: 503, body: 'not yet' }));
    try {
      const provider = new FlagwiseProvider({
        source: loopbackUnleash(server.url),
        readyTimeoutMs: 100,
      });
      await expect(OpenFeature.setProviderAndWait('late', provider)).rejects.toThrow();
      const client = OpenFeature.getClient('late');
      let ready = false;
      client.addHandler(ProviderEvents.Ready, () => {
        ready = true;
      });
      server.respond = (request) =>
        request.path.startsWith('/api/client/features')
          ? { status: 200, body: { version: 2, features: [{ name: 'late', enabled: true, strategies: [] }] } }
          : { status: 202 };
      await waitFor(() => ready, 'READY after a late load', 5000);
      expect(client.providerStatus).toBe(ProviderStatus.READY);
      expect(await client.getBooleanDetails('late', false)).toMatchObject({ value: true, reason: 'STATIC' });
    } finally {
      await OpenFeature.close();
      await server.close();
    }
  });
});

describe('FlagwiseProvider: construction and close', () => {
  it('closes a client it created, never one it was given', async () => {
    const given = createFlags({ source: memorySource({ flags: { shared: true } }) });
    const sharing = new FlagwiseProvider(given);
    expect(await (await clientOn(sharing, 'given')).getBooleanValue('shared', false)).toBe(true);
    const owning = new FlagwiseProvider({ source: memorySource({ flags: { own: true } }) });
    expect(await (await clientOn(owning, 'owned')).getBooleanValue('own', false)).toBe(true);

    await OpenFeature.close();
    // The given client still answers and can still wait; the created one is closed.
    expect(given.isEnabled('shared')).toBe(true);
    await expect(given.ready({ timeoutMs: 10 })).resolves.toBeUndefined();
    await expect(owning.client.close()).resolves.toBeUndefined();
    const unready = new FlagwiseProvider({
      source: unleashSource({
        url: 'http://127.0.0.1:9/api',
        apiToken: 'default:development.x',
        appName: 'x',
        backupPath: false,
      }),
    });
    await unready.onClose();
    await expect(unready.client.ready({ timeoutMs: 10 })).rejects.toThrow(/closed/);
    await given.close();
  });

  it('takes { client, readyTimeoutMs } as well, and leaves that client open', async () => {
    const given = createFlags({ source: memorySource({ flags: { shared: true } }) });
    const provider = new FlagwiseProvider({ client: given, readyTimeoutMs: 1000 });
    expect(await (await clientOn(provider, 'object-form')).getBooleanValue('shared', false)).toBe(true);
    await OpenFeature.close();
    expect(given.isEnabled('shared')).toBe(true);
    await expect(given.ready({ timeoutMs: 10 })).resolves.toBeUndefined();
    await given.close();
  });

  it('rejects wrong options at construction with a message that says how to fix them', () => {
    expect(() => new FlagwiseProvider({ sorce: fileSource(flagsPath) } as never)).toThrow(
      /unknown option "sorce" \(did you mean "source"\?\); valid options: source, /,
    );
    expect(() => new FlagwiseProvider({ readyTimeoutMs: -1 })).toThrow(ConfigurationError);
    expect(() => new FlagwiseProvider({ client: 'x' } as never)).toThrow(/client must be a flags client/);
    expect(() => new FlagwiseProvider('flags.yaml' as never)).toThrow(/pass options such as/);
    const client = createFlags({ source: memorySource() });
    expect(() => new FlagwiseProvider(client, { logger: console } as never)).toThrow(
      /unknown option "logger"/,
    );
    void client.close();
  });
});
