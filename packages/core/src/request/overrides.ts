// Per-browser overrides for QA: forced values and variants in a cookie signed with HMAC-SHA256.
// The core builds, signs and verifies the value; adapters only read the cookie/query and set the header.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseCookieHeader, serialize as serializeCookie } from 'cookie';
import { ConfigurationError } from '../errors.js';
import { isPromiseLike } from './context.js';

/** What a QA override forces: flags on or off, and variants by name. */
export interface FlagOverrides {
  flags?: Record<string, boolean>;
  variants?: Record<string, string>;
}

export interface OverrideOptions<Request = any> {
  /** HMAC key; at least 32 characters. Keep it out of the repo (an env var). */
  secret: string;
  /**
   * Who may override flags from their browser. Default: nobody. It may be async: the request's flags are
   * attached once it settles. One that throws or rejects is logged and counts as "not allowed".
   * @example allow: (req) => req.user?.role === 'qa'
   */
  allow?: (request: Request) => boolean | PromiseLike<boolean>;
  /** cookie name, default `flagwise_overrides` */
  cookieName?: string;
  /** query parameter that sets overrides, default `flagwise` (`?flagwise=new-pricing:on,checkout-copy:short`) */
  queryParam?: string;
  /** how long a signed value stays valid, default 7 days */
  maxAgeSeconds?: number;
  /** mark the cookie Secure (default: true when NODE_ENV is production) */
  secureCookie?: boolean;
}

export type VerifyResult =
  | { ok: true; overrides: FlagOverrides }
  | { ok: false; reason: 'unsigned' | 'tampered' | 'expired' | 'malformed' };

const VERSION = 'v1';
const MAX_ENTRIES = 100;
const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * Signs and verifies override values. Used by `createFlags({ overrides })`; exported for tools and tests.
 * @example
 * const signer = createOverrideSigner({ secret: process.env.FLAGWISE_SECRET! });
 * const value = signer.sign({ flags: { 'new-pricing': true } });
 * signer.verify(value); // { ok: true, overrides: { flags: { 'new-pricing': true } } }
 */
export function createOverrideSigner(options: { secret: string; maxAgeSeconds?: number }) {
  if (typeof options?.secret !== 'string' || options.secret.length < 32) {
    throw new ConfigurationError(
      'overrides.secret must be a string of at least 32 characters: generate one with ' +
        "`node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"` and pass it from an env var",
    );
  }
  const secret = options.secret;
  const maxAgeSeconds = options.maxAgeSeconds ?? 7 * 24 * 3600;
  const mac = (body: string) => createHmac('sha256', secret).update(`${VERSION}.${body}`).digest('base64url');

  return {
    maxAgeSeconds,
    sign(overrides: FlagOverrides, now = Date.now()): string {
      const body = Buffer.from(
        JSON.stringify({ o: normalizeOverrides(overrides), exp: Math.floor(now / 1000) + maxAgeSeconds }),
      ).toString('base64url');
      return `${VERSION}.${body}.${mac(body)}`;
    },
    verify(value: string | undefined, now = Date.now()): VerifyResult {
      if (typeof value !== 'string' || value.length === 0) return { ok: false, reason: 'unsigned' };
      const parts = value.split('.');
      if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'unsigned' };
      const [, body, signature] = parts;
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return { ok: false, reason: 'tampered' };
      }
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const { o, exp } = (decoded ?? {}) as { o?: unknown; exp?: unknown };
      if (typeof exp !== 'number') return { ok: false, reason: 'malformed' };
      if (exp * 1000 < now) return { ok: false, reason: 'expired' };
      const overrides = readOverrides(o);
      return overrides ? { ok: true, overrides } : { ok: false, reason: 'malformed' };
    },
  };
}

export type OverrideSigner = ReturnType<typeof createOverrideSigner>;

/**
 * Reads the override query syntax: comma-separated `name:on`, `name:off`, `name:<variant>`, `name:default`
 * (drop that override) or `clear` (drop all). Returns the merged overrides, or undefined for `clear`.
 * @example
 * applyOverrideQuery({}, 'new-pricing:on,checkout-copy:short')
 * // { flags: { 'new-pricing': true, 'checkout-copy': true }, variants: { 'checkout-copy': 'short' } }
 */
export function applyOverrideQuery(current: FlagOverrides, query: string): FlagOverrides | undefined {
  const flags = { ...current.flags };
  const variants = { ...current.variants };
  for (const item of query.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    if (entry === 'clear') {
      for (const key of Object.keys(flags)) delete flags[key];
      for (const key of Object.keys(variants)) delete variants[key];
      continue;
    }
    const separator = entry.lastIndexOf(':');
    const name = separator > 0 ? entry.slice(0, separator) : entry;
    const value = separator > 0 ? entry.slice(separator + 1) : 'on';
    if (!NAME_PATTERN.test(name)) continue;
    delete flags[name];
    delete variants[name];
    if (value === 'on' || value === 'true') flags[name] = true;
    else if (value === 'off' || value === 'false') flags[name] = false;
    else if (value !== 'default' && NAME_PATTERN.test(value)) {
      flags[name] = true;
      variants[name] = value;
    }
  }
  const result = normalizeOverrides({ flags, variants });
  return Object.keys(result.flags ?? {}).length || Object.keys(result.variants ?? {}).length
    ? result
    : undefined;
}

/** What one request brings that may carry overrides. */
export interface OverrideInput {
  /** the raw Cookie header */
  cookieHeader?: string;
  /** the override query parameter's value(s) */
  query?: string | string[] | undefined;
}

/** The result of reading overrides for one request. */
export interface ResolvedOverrides {
  overrides: FlagOverrides | undefined;
  /** a Set-Cookie header value the adapter must send (the QA changed or cleared overrides) */
  setCookie?: string;
}

const NO_OVERRIDES: ResolvedOverrides = Object.freeze({ overrides: undefined });

/**
 * Reads the overrides one request may use: the signed cookie and the override query parameter, but only when
 * `allow(request)` says yes; otherwise nothing a client sends has any effect.
 */
export class OverrideResolver<Request> {
  readonly signer: OverrideSigner;
  readonly queryParam: string;
  private readonly cookieName: string;

  constructor(
    private readonly options: OverrideOptions<Request>,
    private readonly report: {
      warn(message: string): void;
      allowFailed(error: unknown): void;
    },
  ) {
    this.signer = createOverrideSigner(options);
    this.queryParam = options.queryParam ?? 'flagwise';
    this.cookieName = options.cookieName ?? 'flagwise_overrides';
  }

  /** A Promise only when `allow()` returned one. Never throws nor rejects. */
  resolve(request: Request, input: OverrideInput): ResolvedOverrides | Promise<ResolvedOverrides> {
    let allowed: boolean | PromiseLike<boolean> | undefined;
    try {
      allowed = this.options.allow?.(request);
    } catch (error) {
      this.report.allowFailed(error);
      return NO_OVERRIDES;
    }
    if (isPromiseLike<boolean>(allowed)) {
      return Promise.resolve(allowed).then(
        (yes) => (yes === true ? this.read(input) : NO_OVERRIDES),
        (error: unknown) => {
          this.report.allowFailed(error);
          return NO_OVERRIDES;
        },
      );
    }
    return allowed === true ? this.read(input) : NO_OVERRIDES;
  }

  private read(input: OverrideInput): ResolvedOverrides {
    const raw = readCookie(input.cookieHeader, this.cookieName);
    let current: FlagOverrides | undefined;
    if (raw !== undefined && raw !== '') {
      const verified = this.signer.verify(raw);
      if (verified.ok) current = verified.overrides;
      else this.report.warn(`ignored a ${verified.reason} override cookie "${this.cookieName}"`);
    }
    const query = Array.isArray(input.query) ? input.query.join(',') : input.query;
    if (typeof query !== 'string') return { overrides: current };
    const next = applyOverrideQuery(current ?? {}, query);
    const secure = this.options.secureCookie ?? process.env.NODE_ENV === 'production';
    const setCookie = overrideCookieHeader(this.cookieName, next ? this.signer.sign(next) : undefined, {
      maxAgeSeconds: this.signer.maxAgeSeconds,
      secure,
    });
    return { overrides: next, setCookie };
  }
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  return parseCookieHeader(header)[name];
}

/** A Set-Cookie header that stores (or, with `undefined`, clears) a signed value. */
export function overrideCookieHeader(
  name: string,
  value: string | undefined,
  options: { maxAgeSeconds: number; secure: boolean },
): string {
  return serializeCookie(name, value ?? '', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: options.secure,
    maxAge: value === undefined ? 0 : options.maxAgeSeconds,
  });
}

function normalizeOverrides(overrides: FlagOverrides): FlagOverrides {
  const result: FlagOverrides = {};
  const flags = Object.entries(overrides.flags ?? {}).filter(
    ([name, on]) => NAME_PATTERN.test(name) && typeof on === 'boolean',
  );
  const variants = Object.entries(overrides.variants ?? {}).filter(
    ([name, variant]) => NAME_PATTERN.test(name) && typeof variant === 'string' && NAME_PATTERN.test(variant),
  );
  if (flags.length) result.flags = Object.fromEntries(flags.slice(0, MAX_ENTRIES));
  if (variants.length) result.variants = Object.fromEntries(variants.slice(0, MAX_ENTRIES));
  return result;
}

function readOverrides(value: unknown): FlagOverrides | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { flags, variants } = value as Record<string, unknown>;
  const isRecord = (v: unknown) =>
    v === undefined || (v !== null && typeof v === 'object' && !Array.isArray(v));
  if (!isRecord(flags) || !isRecord(variants)) return undefined;
  return normalizeOverrides(value as FlagOverrides);
}
