// Test helpers for apps that use flagwise: a client backed by memory, ready at once, with flags you pin.
import { type ClientFeaturesPayload, FlagsClient, type FlagsOptions, memorySource } from '@flagwise/core';

type MemorySource = ReturnType<typeof memorySource>;
/** What `set` accepts: `true`, `false`, `{ variant: 'short' }`, a flags-file flag object or an Unleash definition. */
export type PinnedFlag = Parameters<MemorySource['set']>[1];
export type PinnedFlags = Record<string, PinnedFlag>;

/**
 * A flags client backed by memory: ready as soon as it is made, changeable at any time.
 * @example
 * const flags = createTestFlags({ 'new-pricing': true });
 * app.use(featureFlags(flags));
 * flags.set('new-pricing', false);
 */
export class TestFlags extends FlagsClient {
  private readonly memory: MemorySource;
  private readonly initial: ClientFeaturesPayload | undefined;

  constructor(initial: PinnedFlags | ClientFeaturesPayload = {}, options: Omit<FlagsOptions, 'source'> = {}) {
    const memory = memorySource();
    const isPayload = Array.isArray((initial as ClientFeaturesPayload).features);
    if (isPayload) memory.replace(initial as ClientFeaturesPayload);
    else for (const [name, value] of Object.entries(initial)) memory.set(name, value);
    super({ ...options, source: memory });
    this.memory = memory;
    this.initial = memory.current();
  }

  /** Pins one flag until `reset()` or the next `set`. */
  set(name: string, value: PinnedFlag): this {
    this.memory.set(name, value);
    return this;
  }

  /** Removes one flag: it reads as unknown (false). */
  remove(name: string): this {
    this.memory.remove(name);
    return this;
  }

  /** Back to the flags the client was made with. */
  reset(): this {
    if (this.initial) this.memory.replace(this.initial);
    return this;
  }

  /**
   * Runs `fn` with flags pinned, then puts back what was there — after `fn` returns, or after its promise
   * settles, also when it throws.
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
}

/**
 * Makes a memory-backed client for tests.
 * @example
 * const flags = createTestFlags({ 'dark-mode': true, 'checkout-copy': { variant: 'short' } });
 */
export function createTestFlags(
  initial?: PinnedFlags | ClientFeaturesPayload,
  options?: Omit<FlagsOptions, 'source'>,
): TestFlags {
  return new TestFlags(initial, options);
}

/**
 * Runs `fn` with flags pinned on a test client, then restores them.
 * @example
 * withFlags(flags, { beta: true }, () => expect(flags.isEnabled('beta')).toBe(true));
 */
export function withFlags<T>(client: TestFlags, pins: PinnedFlags, fn: () => T): T {
  return client.withFlags(pins, fn);
}
