// The unleashSource instances a test file makes, each with the file's defaults, all stopped after each test.
import { unleashSource } from '../../src/index.js';
import type { UnleashFlagSource } from '../../src/unleash-client-source.js';

export type UnleashSourceOptions = Parameters<typeof unleashSource>[0];

/**
 * A factory of unleash sources with the file's `defaults` (read at each call: they may name the current server)
 * under the options a test passes, and `stopAll()` for afterEach.
 * @example const { source, stopAll } = unleashSources(() => ({ url: `${server.url}/api`, apiToken: TOKEN, appName: 'app' }));
 */
export function unleashSources(defaults: () => UnleashSourceOptions): {
  source(options?: Partial<UnleashSourceOptions>): UnleashFlagSource;
  stopAll(): Promise<void>;
} {
  const made: UnleashFlagSource[] = [];
  return {
    source(options = {}) {
      const created = unleashSource({ ...defaults(), ...options });
      made.push(created);
      return created;
    },
    async stopAll() {
      await Promise.all(made.splice(0).map((source) => source.stop()));
    },
  };
}
