// Injection tokens and metadata keys. Symbols for tokens, so no other provider can collide with them.

/**
 * The module's options: `forRoot`'s first argument, or what `forRootAsync`'s factory returned.
 * @example
 * constructor(@Inject(FEATURE_FLAGS_OPTIONS) private readonly options: FeatureFlagsModuleOptions) {}
 */
export const FEATURE_FLAGS_OPTIONS: unique symbol = Symbol('flagwise:nestjs:options');

/**
 * The core `FlagsClient` the module evaluates with. Override it in e2e tests to pin flags.
 * @example
 * constructor(@Inject(FEATURE_FLAGS_CLIENT) private readonly client: FlagsClient) {}
 */
export const FEATURE_FLAGS_CLIENT: unique symbol = Symbol('flagwise:nestjs:client');

// Metadata keys are strings: Nest's own keys are, and they show up readably when debugging.
export const FEATURE_REQUIRED_METADATA = 'flagwise:feature-required';
export const VARIANT_REQUIRED_METADATA = 'flagwise:variant-required';

/** The module's per-request flags builder, shared by its request hook, guard and `@Flags()`. */
export const REQUEST_FLAGS: unique symbol = Symbol('flagwise:nestjs:request-flags');

/** The module's resolved setup (client, adapter options, visitor ids), from the shared adapter layer. */
export const FEATURE_FLAGS_SETUP: unique symbol = Symbol('flagwise:nestjs:setup');
