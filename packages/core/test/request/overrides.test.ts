import { describe, expect, it } from 'vitest';
import { payload, simpleFlag } from '../../../../test/support/definitions.js';
import { neverLoadingSource } from '../../../../test/support/sources.js';
import { requestFlags } from '../../src/adapter/index.js';
import {
  applyOverrideQuery,
  ConfigurationError,
  createFlags,
  createOverrideSigner,
  memorySource,
} from '../../src/index.js';

const SECRET = 'a-test-secret-that-is-long-enough-1234567890';

describe('override signing', () => {
  const signer = createOverrideSigner({ secret: SECRET, maxAgeSeconds: 60 });

  it('round-trips a signed value', () => {
    const value = signer.sign({ flags: { a: true }, variants: { exp: 'b' } });
    expect(signer.verify(value)).toEqual({
      ok: true,
      overrides: { flags: { a: true }, variants: { exp: 'b' } },
    });
  });

  it('rejects unsigned, tampered, expired and foreign values', () => {
    const value = signer.sign({ flags: { a: true } });
    const [version, body, mac] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ o: { flags: { a: true, b: true } }, exp: 9e9 })).toString(
      'base64url',
    );
    expect(signer.verify(body)).toEqual({ ok: false, reason: 'unsigned' });
    expect(signer.verify(`${version}.${forged}.${mac}`)).toEqual({ ok: false, reason: 'tampered' });
    expect(signer.verify(`${version}.${body}.${mac.slice(0, -2)}xx`)).toEqual({
      ok: false,
      reason: 'tampered',
    });
    expect(signer.verify(value, Date.now() + 61_000)).toEqual({ ok: false, reason: 'expired' });
    const other = createOverrideSigner({ secret: `${SECRET}-other` });
    expect(other.verify(value)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a short secret at startup with a way to make one', () => {
    expect(() => createOverrideSigner({ secret: 'short' })).toThrow(ConfigurationError);
    expect(() => createFlags({ source: memorySource(), overrides: { secret: 'short' } })).toThrow(
      /randomBytes/,
    );
  });

  it('reads the query syntax', () => {
    expect(applyOverrideQuery({}, 'a:on,b:off,exp:short')).toEqual({
      flags: { a: true, b: false, exp: true },
      variants: { exp: 'short' },
    });
    expect(applyOverrideQuery({ flags: { a: true } }, 'a:default')).toBeUndefined();
    expect(applyOverrideQuery({ flags: { a: true } }, 'clear')).toBeUndefined();
    expect(applyOverrideQuery({}, 'bad name!:on')).toBeUndefined();
  });
});

describe('overrides through a client', () => {
  async function setup() {
    const client = createFlags({
      source: memorySource(payload([simpleFlag('a', false), simpleFlag('b', false), simpleFlag('c', true)])),
      overrides: { secret: SECRET, allow: (req: { qa?: boolean }) => req.qa === true },
    });
    await client.ready();
    return client;
  }

  it('honours a valid cookie only when allow() says yes, and only for what it names', async () => {
    const client = await setup();
    const cookieHeader = `other=1; flagwise_overrides=${client.signOverrides({ flags: { a: true } })}`;
    const allowed = await requestFlags(client, { qa: true }, { cookieHeader });
    expect([allowed.flags.a, allowed.flags.b, allowed.flags.c]).toEqual([true, false, true]);
    const refused = await requestFlags(client, { qa: false }, { cookieHeader });
    expect([refused.flags.a, refused.flags.b, refused.flags.c]).toEqual([false, false, true]);
    await client.close();
  });

  it('ignores and warns about a tampered or unsigned cookie', async () => {
    const client = await setup();
    const warnings: string[] = [];
    client.on('warn', (w) => warnings.push(w));
    const good = client.signOverrides({ flags: { a: true } });
    const tampered = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    expect(
      (await requestFlags(client, { qa: true }, { cookieHeader: `flagwise_overrides=${tampered}` })).flags.a,
    ).toBe(false);
    expect(
      (await requestFlags(client, { qa: true }, { cookieHeader: 'flagwise_overrides={"flags":{"a":true}}' }))
        .flags.a,
    ).toBe(false);
    expect(warnings).toEqual([
      'ignored a tampered override cookie "flagwise_overrides"',
      'ignored a unsigned override cookie "flagwise_overrides"',
    ]);
    await client.close();
  });

  it('sets the cookie from the query parameter for an allowed request only', async () => {
    const client = await setup();
    const set = await requestFlags(client, { qa: true }, { query: { flagwise: 'b:on' } });
    expect(set.flags.b).toBe(true);
    expect(set.setCookie?.[0]).toMatch(
      /^flagwise_overrides=v1\.[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/,
    );
    const value = set.setCookie![0].split(';')[0].split('=')[1];
    expect(
      (await requestFlags(client, { qa: true }, { cookieHeader: `flagwise_overrides=${value}` })).flags.b,
    ).toBe(true);
    const refused = await requestFlags(client, { qa: false }, { query: { flagwise: 'b:on' } });
    expect(refused.flags.b).toBe(false);
    expect(refused.setCookie).toBeUndefined();
    const cleared = await requestFlags(
      client,
      { qa: true },
      { cookieHeader: `flagwise_overrides=${value}`, query: { flagwise: 'clear' } },
    );
    expect(cleared.flags.b).toBe(false);
    expect(cleared.setCookie?.[0]).toMatch(/^flagwise_overrides=; Max-Age=0/);
    await client.close();
  });

  it('treats an allow() that throws as a refusal', async () => {
    const client = createFlags({
      source: memorySource(payload([simpleFlag('a', false)])),
      overrides: {
        secret: SECRET,
        allow: () => {
          throw new Error('no user');
        },
      },
    });
    await client.ready();
    expect((await requestFlags(client, {}, { query: { flagwise: 'a:on' } })).flags.a).toBe(false);
    await client.close();
  });

  it('refuses entries naming no flag or a variant the flag lacks, takes the rest, and keeps the refusals', async () => {
    const client = createFlags({
      source: memorySource({
        flags: { 'new-pricing': false, copy: { variants: { short: 50, long: 50 } } },
      }),
      logger: false,
      overrides: { secret: SECRET, allow: () => true },
    });
    await client.ready();
    const refusedOf = async (query: string, cookieHeader?: string) =>
      requestFlags(client, {}, { query: { flagwise: query }, cookieHeader });
    // A flag's camelCase name finds it.
    const alias = await refusedOf('newPricing:on');
    expect(alias.flags.newPricing).toBe(true);
    expect(alias.headers).toBeUndefined();
    const typos = await refusedOf('new-pricng:on,copy:long,copy2:short,new-pricing:onn,bad name!');
    expect(typos.flags.variant('copy').name).toBe('long');
    expect(typos.flags.newPricing).toBe(false);
    expect(typos.headers?.['flagwise-override-refused']).toBe(
      [
        'new-pricng:on (no flag "new-pricng" (did you mean "new-pricing"?))',
        'copy2:short (no flag "copy2" (did you mean "copy"?))',
        'new-pricing:onn (flag "new-pricing" has no variants, so "onn" cannot be forced (did you mean "on"?): use on, off or default)',
        'an entry (it is not `name:on`, `name:off`, `name:<variant>` or `name:default`)',
      ].join('; '),
    );
    // Only the taken entry is in the cookie.
    const cookieHeader = typos.setCookie![0].split(';')[0];
    const next = await requestFlags(client, {}, { cookieHeader });
    expect(next.flags.variant('copy').name).toBe('long');
    // A query whose every entry is refused leaves the cookie as it is.
    const none = await refusedOf('nope:on', cookieHeader);
    expect(none.setCookie).toBeUndefined();
    expect(none.flags.variant('copy').name).toBe('long');
    const paths = (client as unknown as Record<symbol, { overrideRefusals: { entry: string }[] }>)[
      Symbol.for('flagwise.requestPath')
    ];
    expect(paths.overrideRefusals.map((refusal) => refusal.entry)).toEqual([
      'nope:on',
      'new-pricng:on',
      'copy2:short',
      'new-pricing:onn',
      'an entry',
    ]);
    await client.close();
  });

  it('drops an override of a flag that no longer exists, and refuses forcing before the flags load', async () => {
    const source = memorySource({ flags: { gone: true } });
    const client = createFlags({ source, logger: false, overrides: { secret: SECRET, allow: () => true } });
    await client.ready();
    const cookieHeader = `flagwise_overrides=${client.signOverrides({ flags: { gone: false } })}`;
    source.remove('gone');
    const dropped = await requestFlags(client, {}, { cookieHeader, query: { flagwise: 'gone:default' } });
    expect(dropped.headers).toBeUndefined();
    expect(dropped.setCookie?.[0]).toMatch(/^flagwise_overrides=; Max-Age=0/);
    await client.close();

    const early = createFlags({
      source: neverLoadingSource(),
      logger: false,
      overrides: { secret: SECRET, allow: () => true },
    });
    const before = await requestFlags(early, {}, { query: { flagwise: 'a:on' } });
    expect(before.headers?.['flagwise-override-refused']).toBe('a:on (the flags have not loaded yet)');
    expect(before.setCookie).toBeUndefined();
    await early.close();
  });
});
