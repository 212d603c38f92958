// The untrusted-proxy watch: anonymous requests in a row from one private address say so once; anything that
// breaks the run (another address, a public one, an identified request does not count) keeps it quiet.
import { describe, expect, it } from 'vitest';
import { isPrivateAddress, SharedAddressWatch } from '../../src/request/shared-address.js';

describe('isPrivateAddress', () => {
  it('knows loopback, private, link-local and carrier-grade NAT addresses, IPv4-mapped ones too', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.7',
      '172.20.1.1',
      '192.168.1.10',
      '169.254.3.4',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.7',
    ])
      expect(isPrivateAddress(address), address).toBe(true);
    for (const address of [
      '203.0.113.9',
      '8.8.8.8',
      '172.32.0.1',
      '2001:db8::1',
      '::ffff:8.8.8.8',
      'not an address',
    ])
      expect(isPrivateAddress(address), address).toBe(false);
  });
});

describe('SharedAddressWatch', () => {
  it('says so once, at the limit, for anonymous requests in a row from one private address', () => {
    const watch = new SharedAddressWatch(3);
    const anonymous = { remoteAddress: '10.0.0.2' };
    expect([watch.noted(anonymous), watch.noted(anonymous), watch.noted(anonymous)]).toEqual([
      false,
      false,
      true,
    ]);
    for (let i = 0; i < 10; i++) expect(watch.noted(anonymous)).toBe(false);
  });

  it('starts over on another address, and never counts public addresses or identified requests', () => {
    const watch = new SharedAddressWatch(3);
    watch.noted({ remoteAddress: '10.0.0.2' });
    watch.noted({ remoteAddress: '10.0.0.2' });
    expect(watch.noted({ remoteAddress: '10.0.0.3' })).toBe(false);
    expect(watch.noted({ remoteAddress: '10.0.0.3', userId: 'ada' })).toBe(false);
    expect(watch.noted({ remoteAddress: '10.0.0.3', sessionId: 's' })).toBe(false);
    expect(watch.noted({ remoteAddress: '10.0.0.3' })).toBe(false);
    expect(watch.noted({ remoteAddress: '10.0.0.3' })).toBe(true);
    const open = new SharedAddressWatch(2);
    for (let i = 0; i < 5; i++) expect(open.noted({ remoteAddress: '203.0.113.9' })).toBe(false);
    expect(open.noted({})).toBe(false);
  });
});
