// The entry point's arguments, resolved the same way for every adapter: each form, each refusal with its fix.
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../../test/support/logging.js';
import {
  describeArgument,
  isBoolean,
  isClient,
  isMilliseconds,
  oneOf,
  setUpAdapter,
} from '../../src/adapter/index.js';
import { ConfigurationError, createFlags, type FlagsClient, memorySource } from '../../src/index.js';

const ENTRY = { entry: 'featureFlags(options)' };
const clients: FlagsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
const kept = <T extends { client: FlagsClient }>(setup: T): T => {
  clients.push(setup.client);
  return setup;
};
const client = () => kept({ client: createFlags({ source: memorySource(), logger: false }) }).client;

describe('setUpAdapter: the entry forms', () => {
  it('makes a client from options, and sorts the adapter’s options from the client’s', () => {
    const context = () => ({});
    const setup = kept(
      setUpAdapter(ENTRY, { source: memorySource(), logger: false, context, visitorId: true }),
    );
    expect(isClient(setup.client)).toBe(true);
    expect(setup.ownsClient).toBe(true);
    expect(setup.options).toEqual({ context, visitorId: true });
    expect(setup.visitors?.cookieName).toBe('flagwise_visitor');
    expect(setup).toMatchObject({ readsCookies: true, readsQuery: false });
  });

  it('takes a client, { client, ...options }, or a client and adapter options', () => {
    const given = client();
    const context = () => ({});
    for (const setup of [
      setUpAdapter(ENTRY, given),
      setUpAdapter(ENTRY, { client: given, context }),
      setUpAdapter(ENTRY, given, { context }),
    ]) {
      expect(setup.client).toBe(given);
      expect(setup.ownsClient).toBe(false);
      expect(setup.visitors).toBeUndefined();
      expect(setup).toMatchObject({ readsCookies: false, readsQuery: false });
    }
    expect(setUpAdapter(ENTRY, given, { context }).options).toEqual({ context });
  });

  it('reads cookies and the query when the client has QA overrides', () => {
    const withOverrides = kept({
      client: createFlags({
        source: memorySource(),
        logger: false,
        overrides: { secret: 'a-secret-for-the-options-tests-0123456789' },
      }),
    }).client;
    expect(setUpAdapter(ENTRY, withOverrides)).toMatchObject({ readsCookies: true, readsQuery: true });
  });

  it('gives a client it makes the framework’s logger when the options name none', () => {
    const { logger, lines } = recordingLogger();
    const setup = kept(setUpAdapter({ ...ENTRY, logger }, { source: memorySource() }));
    setup.client.logger.warn({}, 'from the framework’s logger');
    expect(lines.map((line) => line.message)).toContain('from the framework’s logger');
  });

  it('checks the adapter’s own options, and leaves the framework’s keys to the framework', () => {
    const definition = {
      ...ENTRY,
      options: { hook: oneOf('onRequest', 'preHandler'), failOnNotReady: isBoolean },
      frameworkKeys: ['prefix'],
    };
    const setup = kept(
      setUpAdapter<unknown, { hook?: string; failOnNotReady?: boolean }>(definition, {
        source: memorySource(),
        logger: false,
        hook: 'preHandler',
        prefix: '/api',
      }),
    );
    expect(setup.options).toEqual({ hook: 'preHandler' });
    expect(() => setUpAdapter(definition, { client: client(), hook: 'onSend' })).toThrow(
      'featureFlags(options): hook must be one of "onRequest", "preHandler"; got "onSend"',
    );
  });
});

describe('setUpAdapter: refusals', () => {
  it('names the nearest valid key for an unknown one', () => {
    expect(() => setUpAdapter(ENTRY, { sorce: memorySource() })).toThrow(ConfigurationError);
    expect(() => setUpAdapter(ENTRY, { sorce: memorySource() })).toThrow(
      /unknown option "sorce" \(did you mean "source"\?\)/,
    );
    expect(() => setUpAdapter(ENTRY, client(), { contxt: () => ({}) })).toThrow(
      /"contxt" \(did you mean "context"\?\)/,
    );
  });

  it('refuses client options beside a client of the app’s own, and adapter options without a client', () => {
    expect(() => setUpAdapter(ENTRY, client(), { logger: false })).toThrow(
      /logger configure a client the adapter creates; with a client of your own, pass them to createFlags\(\) instead/,
    );
    expect(() => setUpAdapter(ENTRY, { source: memorySource() }, { context: () => ({}) })).toThrow(
      /a second argument \(adapter options\) only goes with a client/,
    );
    expect(() => setUpAdapter(ENTRY, { client: { ready: () => {} } })).toThrow(
      /client must be a flags client from createFlags\(\); got an object/,
    );
    expect(() => setUpAdapter(ENTRY, 'flags.yaml')).toThrow(/pass options such as \{ source/);
  });

  it('says what a value must be', () => {
    expect(() => setUpAdapter(ENTRY, client(), { readyTimeoutMs: -1 })).toThrow(
      'featureFlags(options): readyTimeoutMs must be a number of milliseconds ≥ 0; got number -1',
    );
    expect(() => setUpAdapter(ENTRY, client(), { visitorId: 'yes' })).toThrow(
      /visitorId must be true, false or \{ cookieName\?, maxAgeSeconds\? \}/,
    );
    expect(isMilliseconds(Number.POSITIVE_INFINITY)).toBe('a number of milliseconds ≥ 0');
  });
});

describe('isClient and describe', () => {
  it('knows a flags client from look-alikes', () => {
    expect(isClient(client())).toBe(true);
    expect(isClient({ ready: () => {}, isEnabled: () => true })).toBe(false);
    expect(isClient(null)).toBe(false);
  });

  it('describes a value for a message', () => {
    expect(describeArgument(null)).toBe('null');
    expect(describeArgument('x')).toBe('"x"');
    expect(describeArgument(() => 1)).toBe('a function');
    expect(describeArgument([1, 2])).toBe('an array [1,2]');
    expect(describeArgument({ a: 'x'.repeat(100) })).toMatch(/^an object \{"a":"x+\.\.\.$/);
    expect(describeArgument(3)).toBe('number 3');
  });
});
