// Per-browser overrides for QA: forced values and variants in a cookie signed with HMAC-SHA256.
// The core builds, signs and verifies the value; adapters only read the cookie/query and set the header.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseCookieHeader, serialize as serializeCookie } from 'cookie';
import { ConfigurationError } from '../errors.js';
import { didYouMean } from '../nearest-name.js';
import { type FlagsSnapshot, featureVariantNames, flagNameSuggestion } from '../snapshot/snapshot.js';
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
 * (drop that override) or `clear` (drop all). Returns the merged overrides, or undefined for `clear`. Names are
 * not checked against any flags (a client's requests check them: see OverrideResolver).
 * @example
 * applyOverrideQuery({}, 'new-pricing:on,checkout-copy:short')
 * // { flags: { 'new-pricing': true, 'checkout-copy': true }, variants: { 'checkout-copy': 'short' } }
 */
export function applyOverrideQuery(current: FlagOverrides, query: string): FlagOverrides | undefined {
  return readOverrideQuery(current, query).overrides;
}

/** An entry of the override query that changed nothing, and why. */
export interface OverrideRefusal {
  /** the entry as sent, e.g. `new-pricng:on` (or a description, when it holds characters no name has) */
  entry: string;
  /** e.g. `no flag "new-pricng" (did you mean "new-pricing"?)` */
  reason: string;
}

/** A refusal as the dashboard lists it. */
export interface RecentOverrideRefusal extends OverrideRefusal {
  /** ISO time */
  at: string;
}

/** The result of reading an override query. */
interface OverrideQueryResult {
  overrides: FlagOverrides | undefined;
  /** the entries that changed nothing */
  refused: OverrideRefusal[];
  /** true when at least one entry (or `clear`) was taken */
  changed: boolean;
}

const FORCED_VALUES = ['on', 'off', 'default'];

/**
 * The override query applied to `current`. Given the flags (`snapshot`), an entry naming a flag they do not
 * define, or a variant the flag does not have, is refused and changes nothing; a flag's camelCase name finds it.
 */
function readOverrideQuery(
  current: FlagOverrides,
  query: string,
  snapshot?: FlagsSnapshot,
): OverrideQueryResult {
  const flags = { ...current.flags };
  const variants = { ...current.variants };
  const refused: OverrideRefusal[] = [];
  let changed = false;
  for (const item of query.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    if (entry === 'clear') {
      for (const key of Object.keys(flags)) delete flags[key];
      for (const key of Object.keys(variants)) delete variants[key];
      changed = true;
      continue;
    }
    const separator = entry.lastIndexOf(':');
    const given = separator > 0 ? entry.slice(0, separator) : entry;
    const value = separator > 0 ? entry.slice(separator + 1) : 'on';
    if (!NAME_PATTERN.test(given) || !(value === 'default' || NAME_PATTERN.test(value))) {
      refused.push({
        entry: SHOWN_ENTRY.test(entry) ? entry : 'an entry',
        reason: 'it is not `name:on`, `name:off`, `name:<variant>` or `name:default`',
      });
      continue;
    }
    const problem = snapshot === undefined ? undefined : refusalOf(snapshot, given, value, current);
    if (typeof problem === 'string') {
      refused.push({ entry, reason: problem });
      continue;
    }
    const name = problem?.name ?? given;
    changed = true;
    delete flags[name];
    delete variants[name];
    if (value === 'on' || value === 'true') flags[name] = true;
    else if (value === 'off' || value === 'false') flags[name] = false;
    else if (value !== 'default') {
      flags[name] = true;
      variants[name] = value;
    }
  }
  const result = normalizeOverrides({ flags, variants });
  const overrides =
    Object.keys(result.flags ?? {}).length || Object.keys(result.variants ?? {}).length ? result : undefined;
  return { overrides, refused, changed };
}

/** An entry's text fit to repeat in a header and a log line. */
const SHOWN_ENTRY = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * Why the flags refuse `name:value` (a sentence), or the flag it names (its camelCase name finds it). Dropping
 * an override (`default`) of a name the cookie holds is never refused, flag or no flag.
 */
function refusalOf(
  snapshot: FlagsSnapshot,
  given: string,
  value: string,
  current: FlagOverrides,
): string | { name: string } {
  const held = (name: string) =>
    current.flags?.[name] !== undefined || current.variants?.[name] !== undefined;
  if (value === 'default' && held(given)) return { name: given };
  if (!snapshot.ready) return 'the flags have not loaded yet';
  const name = snapshot.aliases.get(given)?.name;
  const feature = name === undefined ? undefined : snapshot.compiled.feature(name);
  if (name === undefined || feature === undefined) {
    return `no flag "${given}"${flagNameSuggestion(snapshot, given)}`;
  }
  if (value === 'on' || value === 'off' || value === 'true' || value === 'false' || value === 'default')
    return { name };
  const names = featureVariantNames(feature);
  if (names.includes(value)) return { name };
  if (names.length === 0)
    return `flag "${name}" has no variants, so "${value}" cannot be forced${didYouMean(value, FORCED_VALUES)}: use on, off or default`;
  return `flag "${name}" has no variant "${value}"${didYouMean(value, [...FORCED_VALUES, ...names])}; its variants: ${names.join(', ')}`;
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
  /** entries of the override query that changed nothing, and why */
  refused?: OverrideRefusal[];
}

/** The response header that tells a tester which entries of the override query changed nothing, and why. */
export const OVERRIDE_REFUSED_HEADER = 'flagwise-override-refused';

/** The refused entries as OVERRIDE_REFUSED_HEADER's value: `new-pricng:on (no flag "new-pricng" (…)); …`. */
export function overrideRefusedHeader(refused: readonly OverrideRefusal[]): string {
  const shown = refused.slice(0, MAX_REFUSALS_SHOWN).map(({ entry, reason }) => `${entry} (${reason})`);
  if (refused.length > MAX_REFUSALS_SHOWN) shown.push(`and ${refused.length - MAX_REFUSALS_SHOWN} more`);
  // A header value is printable ASCII; names from the definitions need not be.
  return shown
    .join('; ')
    .replace(/…/g, '...')
    .replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The response headers that tell a tester which override entries changed nothing; undefined when none.
 * @example overrideRefusalHeaders(resolved) // { 'flagwise-override-refused': 'new-pricng:on (no flag …)' }
 */
export function overrideRefusalHeaders(
  resolved: ResolvedOverrides | undefined,
): Record<string, string> | undefined {
  if (resolved?.refused === undefined || resolved.refused.length === 0) return undefined;
  return { [OVERRIDE_REFUSED_HEADER]: overrideRefusedHeader(resolved.refused) };
}

const MAX_REFUSALS_SHOWN = 10;
/** refusals the dashboard lists: the most recent, across the client's requests */
const RECENT_REFUSALS = 20;

const NO_OVERRIDES: ResolvedOverrides = Object.freeze({ overrides: undefined });

/** What an OverrideResolver needs of its client. */
export interface OverrideResolverHost {
  /** the client's current flags, which an override must name */
  readonly snapshot: FlagsSnapshot;
  /** logs a warning */
  warn(message: string): void;
  /** logs a warning once per key */
  warnOnce(key: string, message: string): void;
  /** `allow()` threw or rejected */
  allowFailed(error: unknown): void;
}

/**
 * Reads the overrides one request may use: the signed cookie and the override query parameter, but only when
 * `allow(request)` says yes; otherwise nothing a client sends has any effect. An entry of the query that names
 * no flag, or a variant its flag lacks, changes nothing, is logged once with the nearest name, and is kept among
 * the recent refusals the dashboard lists.
 */
export class OverrideResolver<Request> {
  readonly signer: OverrideSigner;
  readonly queryParam: string;
  private readonly cookieName: string;
  private readonly refusals: RecentOverrideRefusal[] = [];
  private readonly refusalListeners = new Set<() => void>();

  constructor(
    private readonly options: OverrideOptions<Request>,
    private readonly host: OverrideResolverHost,
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
      this.host.allowFailed(error);
      return NO_OVERRIDES;
    }
    if (isPromiseLike<boolean>(allowed)) {
      return Promise.resolve(allowed).then(
        (yes) => (yes === true ? this.read(input) : NO_OVERRIDES),
        (error: unknown) => {
          this.host.allowFailed(error);
          return NO_OVERRIDES;
        },
      );
    }
    return allowed === true ? this.read(input) : NO_OVERRIDES;
  }

  /** The most recent refused entries across requests, newest first. */
  get recentRefusals(): readonly RecentOverrideRefusal[] {
    return this.refusals;
  }

  /** Calls `listener` after each refusal; returns the unsubscribe. */
  watchRefusals(listener: () => void): () => void {
    this.refusalListeners.add(listener);
    return () => this.refusalListeners.delete(listener);
  }

  private read(input: OverrideInput): ResolvedOverrides {
    const raw = readCookie(input.cookieHeader, this.cookieName);
    let current: FlagOverrides | undefined;
    if (raw !== undefined && raw !== '') {
      const verified = this.signer.verify(raw);
      if (verified.ok) current = verified.overrides;
      else this.host.warn(`ignored a ${verified.reason} override cookie "${this.cookieName}"`);
    }
    const query = Array.isArray(input.query) ? input.query.join(',') : input.query;
    if (typeof query !== 'string') return { overrides: current };
    const read = readOverrideQuery(current ?? {}, query, this.host.snapshot);
    if (read.refused.length > 0) this.refuse(read.refused);
    // Nothing taken: the cookie stays as it is.
    if (!read.changed) return { overrides: current, refused: read.refused };
    const secure = this.options.secureCookie ?? process.env.NODE_ENV === 'production';
    const setCookie = overrideCookieHeader(
      this.cookieName,
      read.overrides ? this.signer.sign(read.overrides) : undefined,
      { maxAgeSeconds: this.signer.maxAgeSeconds, secure },
    );
    return read.refused.length > 0
      ? { overrides: read.overrides, setCookie, refused: read.refused }
      : { overrides: read.overrides, setCookie };
  }

  private refuse(refused: readonly OverrideRefusal[]): void {
    const at = new Date().toISOString();
    for (const { entry, reason } of refused)
      this.host.warnOnce(
        `override refused: ${entry}`,
        `?${this.queryParam}=${entry} changed nothing: ${reason}`,
      );
    this.refusals.unshift(...refused.map(({ entry, reason }) => ({ at, entry, reason })));
    if (this.refusals.length > RECENT_REFUSALS) this.refusals.length = RECENT_REFUSALS;
    for (const listener of this.refusalListeners) listener();
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
