// The host names an endpoint answers: the app's own by default, the names it lists, and what a Host header holds.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { appHostNames } from '../../src/endpoint/host-names.js';
import { ConfigurationError } from '../../src/index.js';

const WHERE = 'flagsDashboard({ hosts })';

describe('appHostNames', () => {
  it('takes localhost and the names below it, any IP address and this machine’s name as the app’s own', () => {
    const names = appHostNames(undefined, WHERE);
    for (const host of [
      'localhost:3000',
      'LOCALHOST',
      'shop.localhost:8080',
      '127.0.0.1:3000',
      '10.1.2.3',
      '[::1]:3000',
      '[fe80::1]',
      '::1',
      `${hostname()}:3000`,
      'localhost.:3000',
    ])
      expect(names.foreignName({ host }), host).toBeUndefined();
    expect(names.foreignName({ host: 'rebound.example:3000' })).toBe('rebound.example');
    expect(names.foreignName({ host: 'localhost.rebound.example' })).toBe('localhost.rebound.example');
    expect(names.foreignName({})).toBe('');
  });

  it('takes the names the app lists, `*.` for every name below one, in any case', () => {
    const names = appHostNames(['Admin.Example.com', '*.shop.example'], WHERE);
    expect(names.foreignName({ host: 'admin.example.com:443' })).toBeUndefined();
    expect(names.foreignName({ host: 'eu.shop.example' })).toBeUndefined();
    expect(names.foreignName({ host: 'shop.example' })).toBe('shop.example');
    expect(names.foreignName({ host: 'example.com' })).toBe('example.com');
    expect(names.description).toContain('admin.example.com');
    expect(names.description).toContain('*.shop.example');
  });

  it('needs every name a proxy passed on (X-Forwarded-Host) to be the app’s too', () => {
    const names = appHostNames(['admin.example.com'], WHERE);
    expect(names.foreignName({ host: '127.0.0.1', 'x-forwarded-host': 'admin.example.com' })).toBeUndefined();
    expect(
      names.foreignName({ host: '127.0.0.1', 'x-forwarded-host': 'admin.example.com, rebound.example' }),
    ).toBe('rebound.example');
  });

  it('refuses at startup a list that is not host names, saying what to write', () => {
    for (const hosts of [
      'admin.example.com',
      [42],
      ['https://admin.example.com'],
      ['admin.example.com:8443'],
    ]) {
      expect(() => appHostNames(hosts, WHERE)).toThrow(ConfigurationError);
    }
    expect(() => appHostNames(['https://admin.example.com'], WHERE)).toThrow(
      /"https:\/\/admin\.example\.com" is not a host name; list names only, without scheme, port or path/,
    );
  });
});
