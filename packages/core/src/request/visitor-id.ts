// A stable id for anonymous visitors: Unleash's default stickiness falls back to a random answer for a request
// with neither userId nor sessionId, so a 20 % rollout would flip on every request of the same browser. With
// the adapters' opt-in `visitorId` option such a request gets a random id in a cookie, used as its sessionId.
import { randomUUID } from 'node:crypto';
import { serialize as serializeCookie } from 'cookie';
import { ConfigurationError } from '../errors.js';
import { readCookie } from './overrides.js';

/**
 * The adapters' `visitorId` option: `true` for the defaults, or the cookie's name and lifetime. The cookie is
 * HttpOnly, SameSite=Lax, and Secure when the request came over TLS.
 * @example featureFlags({ visitorId: { cookieName: 'vid', maxAgeSeconds: 90 * 24 * 3600 } })
 */
export interface VisitorIdOptions {
  /** default `flagwise_visitor` */
  cookieName?: string;
  /** default one year */
  maxAgeSeconds?: number;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const KEYS = ['cookieName', 'maxAgeSeconds'];

/** Reads and issues visitor ids for one adapter. */
export class VisitorIds {
  readonly cookieName: string;
  readonly maxAgeSeconds: number;

  constructor(options: true | VisitorIdOptions) {
    const given: VisitorIdOptions = options === true ? {} : options;
    if (given === null || typeof given !== 'object') {
      throw new ConfigurationError(
        'visitorId must be true or { cookieName?, maxAgeSeconds? }, e.g. featureFlags({ visitorId: true })',
      );
    }
    const unknown = Object.keys(given).filter((key) => !KEYS.includes(key));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `visitorId: unknown option ${unknown.map((k) => `"${k}"`).join(', ')}; valid options: ${KEYS.join(', ')}`,
      );
    }
    this.cookieName = given.cookieName ?? 'flagwise_visitor';
    this.maxAgeSeconds = given.maxAgeSeconds ?? 365 * 24 * 3600;
    if (typeof this.cookieName !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(this.cookieName)) {
      throw new ConfigurationError(
        `visitorId.cookieName must be a cookie name of letters, digits, _ and -; got ${String(this.cookieName)}`,
      );
    }
    if (!Number.isInteger(this.maxAgeSeconds) || this.maxAgeSeconds <= 0) {
      throw new ConfigurationError(
        `visitorId.maxAgeSeconds must be a whole number of seconds > 0; got ${String(this.maxAgeSeconds)}`,
      );
    }
  }

  /** The visitor's id from the Cookie header, or a new one with the Set-Cookie header that stores it. */
  idOf(cookieHeader: string | undefined, secure: boolean): { id: string; setCookie?: string } {
    const current = readCookie(cookieHeader, this.cookieName);
    if (current !== undefined && ID_PATTERN.test(current)) return { id: current };
    const id = randomUUID();
    const setCookie = serializeCookie(this.cookieName, id, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure,
      maxAge: this.maxAgeSeconds,
    });
    return { id, setCookie };
  }
}
