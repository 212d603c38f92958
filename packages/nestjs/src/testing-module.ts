// Pinned flags for Nest tests: the real module over core's memorySource, so guards, @Flags() and views behave
// exactly as in the app, with values the test chooses (and can change between requests).
import { type FlagSpec, type MemorySource, memorySource } from '@flagwise/core';
import { type DynamicModule, Module } from '@nestjs/common';
import { FeatureFlagsModule } from './feature-flags-module.js';
import type { NestAdapterOptions } from './options.js';

/**
 * The memory source behind `FeatureFlagsTestingModule.withFlags()`: get it from the app to change a flag.
 * @example
 * app.get<MemorySource>(PINNED_FLAGS).set('new-pricing', false);
 */
export const PINNED_FLAGS: unique symbol = Symbol('flagwise:nestjs:pinned-flags');

/**
 * One pinned flag: on, off, on with one variant, or any flag as in flags.yaml.
 * @example
 * const flags: Record<string, PinnedFlag> = { 'new-pricing': true, 'checkout-copy': { variant: 'short' }, beta: { users: ['ada'] } };
 */
export type PinnedFlag = boolean | FlagSpec;

/**
 * Replaces `FeatureFlagsModule.forRoot()` in a test module: the same guards, `@Flags()` and views, with pinned
 * flags. Flags not named read as off.
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [FeatureFlagsTestingModule.withFlags({ 'new-pricing': true, 'checkout-copy': { variant: 'short' } }), CheckoutModule],
 * }).compile();
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest modules are classes
export class FeatureFlagsTestingModule {
  /**
   * @example
   * FeatureFlagsTestingModule.withFlags({ 'beta-page': false }, { context: (req) => ({ userId: req.headers['x-user'] }) })
   */
  static withFlags(flags: Record<string, PinnedFlag>, options: NestAdapterOptions = {}): DynamicModule {
    const source: MemorySource = memorySource({ flags });
    const module = FeatureFlagsModule.forRoot({ ...options, source });
    return {
      ...module,
      providers: [...(module.providers ?? []), { provide: PINNED_FLAGS, useValue: source }],
      exports: [...(module.exports ?? []), PINNED_FLAGS],
    };
  }
}
