// The test client: a flags client backed by memory, ready as soon as it is made, whose flags a test sets in code,
// for the whole client or for one request (the pins header), and which remembers what each request read.
import {
  type ClientFeaturesPayload,
  FlagsClient,
  type FlagsOptions,
  type MemoryFlagValue,
  type MemorySource,
  memorySource,
  type RequestFlags,
} from '@flagwise/core';
import { routeRequests } from '@flagwise/core/adapter';
import { type PinnedFlags, parsePins, pinsHeaderOf } from './pins.js';
import { type NameResolver, nameResolver, type RequestRecord, recordRequest } from './request-record.js';

/** The client options a test client takes: everything but the source, which is memory. */
export type TestFlagsOptions<Request = any> = Omit<FlagsOptions<Request>, 'source'>;

// Enough for any one test; older records and pinned clients go first.
const MAX_RECORDS = 1000;
const MAX_PINNED_CLIENTS = 200;

interface Requestish {
  method?: unknown;
  url?: unknown;
  originalUrl?: unknown;
}

/**
 * A flags client for tests: backed by memory, ready as soon as it is made, with flags set in code. Works with
 * every adapter, like any client; besides, it serves each request with the pins that request carries in its
 * pins header (`pinHeaders()`), and records which flags each request read.
 * @example
 * const flags = createTestFlags({ 'new-checkout': false });
 * app.use(featureFlags(flags));
 * await request(app).get('/checkout').set(pinHeaders({ 'new-checkout': true })).expect(200);
 * expect(flags.lastRequest()?.read).toEqual(['new-checkout']);
 */
export class TestFlags<Request = any> extends FlagsClient<Request> {
  private readonly memory: MemorySource;
  private readonly initial: ClientFeaturesPayload | undefined;
  private readonly options: TestFlagsOptions<Request>;
  /** pins header → a client over these definitions with those pins set */
  private readonly pinnedClients = new Map<string, { client: FlagsClient<Request>; pins: PinnedFlags }>();
  private pinnedFrom: ClientFeaturesPayload | undefined;
  private readonly resolvers = new WeakMap<ClientFeaturesPayload, NameResolver>();
  private readonly records: RequestRecord[] = [];

  constructor(initial: PinnedFlags | ClientFeaturesPayload = {}, options: TestFlagsOptions<Request> = {}) {
    const memory = memorySource();
    const isPayload = Array.isArray((initial as ClientFeaturesPayload).features);
    if (isPayload) memory.replace(initial as ClientFeaturesPayload);
    else for (const [name, value] of Object.entries(initial)) memory.set(name, value as MemoryFlagValue);
    super({ ...options, source: memory });
    this.memory = memory;
    this.initial = memory.current();
    this.options = options;
    // Every adapter builds a request's flags through the client's request path: this client's route serves the
    // request's pins (its pins header) and records what the request reads.
    routeRequests<Request>(this, (request) => this.serving(request));
  }

  /** Sets one flag for every request until `reset()` or the next `set`. */
  set(name: string, value: MemoryFlagValue): this {
    this.memory.set(name, value);
    return this;
  }

  /** Removes one flag: it reads as unknown (false). */
  remove(name: string): this {
    this.memory.remove(name);
    return this;
  }

  /** Back to the flags the client was made with; forgets the recorded requests. */
  reset(): this {
    if (this.initial) this.memory.replace(this.initial);
    this.records.length = 0;
    return this;
  }

  /**
   * Runs `fn` with flags set for every request, then puts back what was there — after `fn` returns, or after its
   * promise settles, also when it throws. It changes the client for everyone: for tests that run side by side
   * against one app, pin per request with `pinHeaders()` instead.
   * @example
   * await flags.withFlags({ 'new-pricing': true }, async () => {
   *   await request(app).get('/pricing').expect(/new/);
   * });
   */
  withFlags<T>(pins: PinnedFlags, fn: () => T): T {
    const saved = this.memory.current();
    for (const [name, value] of Object.entries(pins)) this.memory.set(name, value);
    const restore = () => {
      if (saved) this.memory.replace(saved);
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      restore();
      throw error;
    }
    if (result instanceof Promise) return result.finally(restore) as T;
    restore();
    return result;
  }

  /** The client that serves a request (a pinned one when it carries pins), and how to record what it reads. */
  private serving(request: Request): {
    client: FlagsClient<Request>;
    wrap: (flags: RequestFlags) => RequestFlags;
  } {
    const header = pinsHeaderOf(request);
    let served: FlagsClient<Request> = this;
    let pins: PinnedFlags = {};
    if (header.pins !== undefined) ({ client: served, pins } = this.pinnedClient(header.pins));
    const record = (built: RequestFlags): RequestFlags => {
      const facts = request as Requestish;
      const { flags, record } = recordRequest(built, this.resolverFor(served.definitions()), {
        method: typeof facts.method === 'string' ? facts.method : undefined,
        url:
          typeof facts.originalUrl === 'string'
            ? facts.originalUrl
            : typeof facts.url === 'string'
              ? facts.url
              : undefined,
        label: header.label,
        pins,
      });
      this.records.push(record);
      if (this.records.length > MAX_RECORDS) this.records.shift();
      return flags;
    };
    return { client: served, wrap: record };
  }

  /** Every request served since the client was made or last `reset()` / `clearRequests()`, oldest first. */
  get requests(): readonly RequestRecord[] {
    return this.records;
  }

  /** The request served last. */
  lastRequest(): RequestRecord | undefined {
    return this.records[this.records.length - 1];
  }

  /**
   * The latest request served with this label (`pinHeaders(pins, { label })`).
   * @example
   * await request(app).get('/').set(pinHeaders({ beta: true }, { label: 'beta' }));
   * expect(flags.request('beta')?.didRead('beta')).toBe(true);
   */
  request(label: string): RequestRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--)
      if (this.records[i].label === label) return this.records[i];
    return undefined;
  }

  /** Forgets the recorded requests. */
  clearRequests(): this {
    this.records.length = 0;
    return this;
  }

  override async close(): Promise<void> {
    await Promise.all([...this.pinnedClients.values()].map(({ client }) => client.close()));
    this.pinnedClients.clear();
    await super.close();
  }

  /** A client over the current definitions with the header's pins set; one per distinct header, reused. */
  private pinnedClient(header: string): { client: FlagsClient<Request>; pins: PinnedFlags } {
    const definitions = this.definitions();
    if (this.pinnedFrom !== definitions) {
      // The flags changed (set, remove, reset): clients made from the old ones are out of date.
      for (const { client } of this.pinnedClients.values()) void client.close();
      this.pinnedClients.clear();
      this.pinnedFrom = definitions;
    }
    const cached = this.pinnedClients.get(header);
    if (cached !== undefined) return cached;
    const pins = parsePins(header);
    const source = memorySource(definitions);
    for (const [name, value] of Object.entries(pins)) source.set(name, value);
    const client = new FlagsClient<Request>({ ...this.options, source });
    // Warnings, errors and impressions of pinned requests are this client's.
    client.on('warn', (message) => this.emit('warn', message));
    client.on('impression', (event) => this.emit('impression', event));
    client.on('error', (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    const entry = { client, pins };
    this.pinnedClients.set(header, entry);
    if (this.pinnedClients.size > MAX_PINNED_CLIENTS) {
      const [oldest] = this.pinnedClients.keys();
      void this.pinnedClients.get(oldest)?.client.close();
      this.pinnedClients.delete(oldest);
    }
    return entry;
  }

  private resolverFor(definitions: ClientFeaturesPayload): NameResolver {
    let resolve = this.resolvers.get(definitions);
    if (resolve === undefined) {
      resolve = nameResolver(definitions.features.map((feature) => feature.name));
      this.resolvers.set(definitions, resolve);
    }
    return resolve;
  }
}

/**
 * Makes a test client: flags set in code, ready at once. Takes flags as `memorySource().set()` does, or an Unleash
 * payload, and the client options (`appName`, `environment`, `strategies`, `logger`, `overrides`).
 * @example
 * const flags = createTestFlags({
 *   'dark-mode': true,
 *   'checkout-copy': { variants: { short: { weight: 100, payload: { headline: 'Buy' } } } },
 *   beta: { users: ['ada'] },
 *   'new-layout': { rollout: 50 },
 * });
 */
export function createTestFlags<Request = any>(
  initial?: PinnedFlags | ClientFeaturesPayload,
  options?: TestFlagsOptions<Request>,
): TestFlags<Request> {
  return new TestFlags<Request>(initial, options);
}

/**
 * Runs `fn` with flags set on a test client, then restores them (see `TestFlags.withFlags`).
 * @example
 * withFlags(flags, { beta: true }, () => expect(flags.isEnabled('beta')).toBe(true));
 */
export function withFlags<T>(client: TestFlags, pins: PinnedFlags, fn: () => T): T {
  return client.withFlags(pins, fn);
}
