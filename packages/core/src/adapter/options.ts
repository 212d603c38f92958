// The entry point's arguments, resolved once for every adapter: nothing, options, a client, `{ client, ...}`,
// or a client and adapter options. Every key is checked against the option types; an unknown one fails at
// startup naming the nearest valid key.
import { createFlags, type FlagsClient } from '../client/flags-client.js';
import { FLAGS_OPTION_KEYS, type FlagsOptions } from '../client/options.js';
import { ConfigurationError } from '../errors.js';
import { checkKnownKeys } from '../nearest-name.js';
import type { AdapterOptions } from '../request/adapter-options.js';
import { type AdapterHints, requestPathOf } from '../request/request-path.js';
import { VisitorIds } from '../request/visitor-id.js';
import type { Logger } from '../types.js';

/** Says what is wrong with an option's value, or undefined when it is fine. */
export type OptionCheck = (value: unknown) => string | undefined;

/** What an adapter tells the layer about itself. */
export interface AdapterDefinition<Extra extends object = {}> {
  /** how users call the entry point, for messages, e.g. `featureFlags(options)` */
  entry: string;
  /** the adapter's own options beyond AdapterOptions, each with its check */
  options?: { [Key in keyof Required<Extra>]: OptionCheck };
  /** keys the framework itself reads from the same object and that are left alone (Fastify's `prefix`) */
  frameworkKeys?: readonly string[];
  /** the logger of a client the adapter creates when the options name none (Fastify's `app.log`) */
  logger?: Logger;
  /**
   * A client that stands in for the one the arguments give or describe (a test's replacement, e.g. Nest's
   * `overrideProvider(FEATURE_FLAGS_CLIENT)`): the arguments are checked as usual, their client options are not
   * used, and the adapter does not own it.
   */
  standInClient?: FlagsClient;
  /** how this framework's users turn on visitor ids and trust their proxy, for warnings (see AdapterHints) */
  hints?: Partial<AdapterHints>;
}

/** The resolved entry point: the client, whether the adapter made it (and closes it), and the options. */
export interface AdapterSetup<Request, Extra extends object = {}> {
  client: FlagsClient<Request>;
  ownsClient: boolean;
  options: AdapterOptions<Request> & Extra;
  /** visitor ids, when the `visitorId` option is on */
  visitors: VisitorIds | undefined;
  /** the Cookie header matters (overrides or visitor ids are on); otherwise adapters leave it alone */
  readsCookies: boolean;
  /** the query matters (overrides are on); otherwise adapters leave it alone (Express 5 parses on access) */
  readsQuery: boolean;
}

export const isFunction: OptionCheck = (value) => (typeof value === 'function' ? undefined : 'a function');
export const isBoolean: OptionCheck = (value) => (typeof value === 'boolean' ? undefined : 'true or false');
export const isMilliseconds: OptionCheck = (value) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? undefined
    : 'a number of milliseconds ≥ 0';
/** One of the given strings. */
export const oneOf =
  (...choices: string[]): OptionCheck =>
  (value) =>
    typeof value === 'string' && choices.includes(value)
      ? undefined
      : `one of ${choices.map((c) => `"${c}"`).join(', ')}`;

const ADAPTER_OPTION_CHECKS: { [Key in keyof Required<AdapterOptions>]: OptionCheck } = {
  context: isFunction,
  readyTimeoutMs: isMilliseconds,
  failOnNotReady: isBoolean,
  startOnFallbacks: isBoolean,
  visitorId: (value) =>
    typeof value === 'boolean' || (value !== null && typeof value === 'object' && !Array.isArray(value))
      ? undefined
      : 'true, false or { cookieName?, maxAgeSeconds? }',
};

/**
 * Resolves an entry point's arguments. Throws a ConfigurationError that says how to fix it for anything else.
 * @example
 * export function featureFlags(clientOrOptions?, adapterOptions?) {
 *   const { client, options } = setUpAdapter({ entry: 'featureFlags(options)' }, clientOrOptions, adapterOptions);
 * }
 */
export function setUpAdapter<Request, Extra extends object = {}>(
  definition: AdapterDefinition<Extra>,
  first?: unknown,
  second?: unknown,
): AdapterSetup<Request, Extra> {
  const { entry } = definition;
  const checks: Record<string, OptionCheck> = { ...ADAPTER_OPTION_CHECKS, ...definition.options };
  const adapterKeys = Object.keys(checks);
  const frameworkKeys = definition.frameworkKeys ?? [];
  let client: FlagsClient<Request> | undefined;
  let flagsOptions: Record<string, unknown> | undefined;
  let adapterOptions: Record<string, unknown>;

  if (first !== undefined && (first === null || typeof first !== 'object')) {
    throw new ConfigurationError(
      `${entry}: pass options such as { source: fileSource('flags.yaml') }, a client from createFlags(), ` +
        `{ client, ...options }, or nothing (flags.yaml in the working directory); got ${describeArgument(first)}`,
    );
  }
  if (second !== undefined && !isClient(first)) {
    throw new ConfigurationError(
      `${entry}: a second argument (adapter options) only goes with a client, as in featureFlags(client, { context }); ` +
        'otherwise put every option into the one options object',
    );
  }
  if (isClient(first)) {
    client = first as FlagsClient<Request>;
    adapterOptions = checkAdapterOnly(entry, second ?? {}, adapterKeys, frameworkKeys);
  } else if (
    first !== undefined &&
    'client' in first &&
    (first as { client?: unknown }).client !== undefined
  ) {
    const { client: given, ...rest } = first as { client: unknown };
    if (!isClient(given)) {
      throw new ConfigurationError(
        `${entry}: client must be a flags client from createFlags(); got ${describeArgument(given)}`,
      );
    }
    client = given as FlagsClient<Request>;
    adapterOptions = checkAdapterOnly(entry, rest, adapterKeys, frameworkKeys);
  } else {
    const given = (first ?? {}) as Record<string, unknown>;
    checkKnownKeys(entry, given, [
      ...FLAGS_OPTION_KEYS,
      ...adapterKeys,
      ...frameworkKeys.filter((k) => k in given),
    ]);
    flagsOptions = {};
    adapterOptions = {};
    for (const [key, value] of Object.entries(given)) {
      if (key === 'client') continue;
      if ((FLAGS_OPTION_KEYS as readonly string[]).includes(key)) flagsOptions[key] = value;
      else if (adapterKeys.includes(key)) adapterOptions[key] = value;
    }
    if (flagsOptions.logger === undefined && definition.logger !== undefined)
      flagsOptions.logger = definition.logger;
  }

  for (const [key, value] of Object.entries(adapterOptions)) {
    if (value === undefined) continue;
    const problem = checks[key](value);
    if (problem !== undefined)
      throw new ConfigurationError(`${entry}: ${key} must be ${problem}; got ${describeArgument(value)}`);
  }
  if (adapterOptions.failOnNotReady === true && adapterOptions.startOnFallbacks === true) {
    throw new ConfigurationError(
      `${entry}: failOnNotReady and startOnFallbacks ask for opposite startups; keep one (failOnNotReady refuses ` +
        'to start without flags, startOnFallbacks starts without them)',
    );
  }
  const visitorId = adapterOptions.visitorId as AdapterOptions['visitorId'];
  const visitors = visitorId === undefined || visitorId === false ? undefined : new VisitorIds(visitorId);
  const ownsClient = client === undefined && definition.standInClient === undefined;
  client = (definition.standInClient as FlagsClient<Request> | undefined) ?? client;
  client ??= createFlags<Request>(flagsOptions as FlagsOptions<Request>);
  const path = requestPathOf(client);
  if (path !== undefined && definition.hints !== undefined) Object.assign(path.hints, definition.hints);
  const overrides = path?.overridesEnabled === true;
  return {
    client,
    ownsClient,
    options: adapterOptions as AdapterOptions<Request> & Extra,
    visitors,
    readsCookies: overrides || visitors !== undefined,
    readsQuery: overrides,
  };
}

function checkAdapterOnly(
  entry: string,
  given: unknown,
  adapterKeys: readonly string[],
  frameworkKeys: readonly string[],
): Record<string, unknown> {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ConfigurationError(
      `${entry}: adapter options must be an object such as { context }; got ${describeArgument(given)}`,
    );
  }
  const clientKeys = Object.keys(given).filter(
    (key) =>
      (FLAGS_OPTION_KEYS as readonly string[]).includes(key) &&
      (given as Record<string, unknown>)[key] !== undefined,
  );
  if (clientKeys.length > 0) {
    throw new ConfigurationError(
      `${entry}: ${clientKeys.join(', ')} configure a client the adapter creates; with a client of your own, ` +
        'pass them to createFlags() instead',
    );
  }
  checkKnownKeys(entry, given, [...adapterKeys, ...frameworkKeys.filter((k) => k in given)]);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) if (adapterKeys.includes(key)) result[key] = value;
  return result;
}

/** True for a flags client (from createFlags, or a test client made on it). */
export function isClient(value: unknown): boolean {
  return requestPathOf(value) !== undefined && typeof (value as Partial<FlagsClient>).ready === 'function';
}

/** A short description of an argument an app gave (an option value, a guard's flag name), for error messages. */
export function describeArgument(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array ${safeJson(value)}`;
  if (typeof value === 'object') return `an object ${safeJson(value)}`;
  return `${typeof value} ${String(value)}`;
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return '(unprintable)';
  }
}
