// What adapters read from a framework's request, the same way everywhere.
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { headerText, OptionalFields, trustsProxy } from '../../src/adapter/index.js';

describe('trustsProxy', () => {
  it('trusts a proxy for every setting but off', () => {
    for (const setting of [false, undefined, 0]) expect(trustsProxy(setting)).toBe(false);
    for (const setting of [true, 1, 'loopback', ['10.0.0.0/8'], () => true])
      expect(trustsProxy(setting)).toBe(true);
  });
});

describe('headerText', () => {
  it('joins a header that arrived as a list', () => {
    expect(headerText(['a=1', 'b=2'])).toBe('a=1; b=2');
    expect(headerText('a=1')).toBe('a=1');
    expect(headerText(undefined)).toBeUndefined();
  });
});

describe('OptionalFields', () => {
  it('reads fields auth and session middleware set on a Node request, and undefined for the ones missing', () => {
    const fields = new OptionalFields(['user', 'session', 'sessionID']);
    const request = new IncomingMessage(new Socket());
    expect(fields.read(request, 'user')).toBeUndefined();
    Object.assign(request, { user: { id: 'ada' }, sessionID: 's-1' });
    expect(fields.read(request, 'user')).toEqual({ id: 'ada' });
    expect(fields.read(request, 'sessionID')).toBe('s-1');
    expect(fields.read(request, 'session')).toBeUndefined();
  });

  it('reads a field a plugin defines on the request’s prototype, per prototype', () => {
    const fields = new OptionalFields(['user']);
    class WithUser extends IncomingMessage {
      get user() {
        return { id: 'from-getter' };
      }
    }
    expect(fields.read(new IncomingMessage(new Socket()), 'user')).toBeUndefined();
    expect(fields.read(new WithUser(new Socket()), 'user')).toEqual({ id: 'from-getter' });
    expect(fields.read(new IncomingMessage(new Socket()), 'user')).toBeUndefined();
  });
});
