// Flags for Nest tests: the real module on @flagwise/testing's test client, so guards, @Flags() and views behave
// exactly as in the app, with flags the test sets — for the whole app, or per request with pinHeaders().
import { createTestFlags, type PinnedFlags, TestFlags } from '@flagwise/testing';
import { type DynamicModule, Module } from '@nestjs/common';
import { FeatureFlagsModule } from './feature-flags-module.js';
import type { NestAdapterOptions } from './options.js';

/**
 * Replaces `FeatureFlagsModule.forRoot()` in a test module: the same guards, `@Flags()` and views, on a test
 * client (`TestFlags` from @flagwise/testing), which the app can get by its class to change flags. Flags not
 * named read as off; a request's pins header (`pinHeaders()`) pins flags for that request alone.
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [FeatureFlagsTestingModule.withFlags({ 'new-pricing': true, 'checkout-copy': { variant: 'short' } }), CheckoutModule],
 * }).compile();
 * moduleRef.get(TestFlags).set('new-pricing', false);
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest modules are classes
export class FeatureFlagsTestingModule {
  /**
   * Given flags, makes a test client with them; given a test client, uses it (the test keeps a handle on it).
   * @example
   * FeatureFlagsTestingModule.withFlags({ 'beta-page': false }, { context: (req) => ({ userId: req.headers['x-user'] }) })
   * @example
   * const flags = createTestFlags({ 'beta-page': false });
   * FeatureFlagsTestingModule.withFlags(flags)
   */
  static withFlags(flags: PinnedFlags | TestFlags = {}, options: NestAdapterOptions = {}): DynamicModule {
    const client = isTestFlags(flags) ? flags : createTestFlags(flags);
    const module = FeatureFlagsModule.forRoot({ ...options, client });
    return {
      ...module,
      providers: [...(module.providers ?? []), { provide: TestFlags, useValue: client }],
      exports: [...(module.exports ?? []), TestFlags],
    };
  }
}

// By shape as well as by class: a second copy of @flagwise/testing (another install path) has its own class.
function isTestFlags(value: PinnedFlags | TestFlags): value is TestFlags {
  return (
    value instanceof TestFlags ||
    (typeof (value as Partial<TestFlags>).withFlags === 'function' &&
      typeof (value as Partial<TestFlags>).clearRequests === 'function')
  );
}
