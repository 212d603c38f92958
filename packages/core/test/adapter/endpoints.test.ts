// What an adapter's endpoint mount needs besides the endpoint: the client behind a request's flags, and the
// message when the flags are missing.
import { describe, expect, it } from 'vitest';
import { clientOf, flagsMissingError } from '../../src/adapter/index.js';
import { ConfigurationError, createFlags, inlineSource } from '../../src/index.js';

describe('clientOf', () => {
  it('finds the client that made a request’s flags, and nothing for other objects', async () => {
    const client = createFlags({ source: inlineSource({ flags: { on: true } }) });
    expect(clientOf(client.forContext({ userId: 'a' }))).toBe(client);
    expect(clientOf({ isEnabled: () => true } as never)).toBeUndefined();
    expect(clientOf(undefined)).toBeUndefined();
    await client.close();
  });
});

describe('flagsMissingError', () => {
  it('names the endpoint and the fix, as a ConfigurationError', () => {
    const error = flagsMissingError('flagsOfrep()', 'add `app.use(featureFlags())` first');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.code).toBe('MISCONFIGURED');
    expect(error.message).toBe(
      'flagsOfrep() found no flags on the request: add `app.use(featureFlags())` first',
    );
  });
});
