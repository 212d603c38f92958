// Decorators only set metadata (and apply the guard that reads it); @Flags() reads what the module attached.
import { ConfigurationError, type RequestFlags } from '@flagwise/core';
import { createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import {
  ControllerFeatureFlagsGuard,
  FeatureFlagsGuard,
  type FeatureRequirement,
  type VariantRequirement,
} from './guards.js';
import type { OnDisabled } from './options.js';
import { flagsOfRequest } from './platform-request.js';
import { FEATURE_REQUIRED_METADATA, VARIANT_REQUIRED_METADATA } from './tokens.js';

/**
 * Per-decorator options of `@FeatureRequired` and `@VariantRequired`.
 * @example
 * @FeatureRequired('checkout-open', { onDisabled: () => new ServiceUnavailableException('down for maintenance') })
 */
export interface RequirementOptions {
  /**
   * The exception when the route is off for the request, instead of the module's (default: Nest's 404).
   * @example { onDisabled: () => new ServiceUnavailableException('down for maintenance') }
   */
  onDisabled?: OnDisabled;
}

/**
 * Serves the route only when the flag (or every flag of a list) is on for the request; otherwise answers with
 * Nest's 404 for an unknown route, or `onDisabled`. On a controller it covers every handler; a handler's own
 * `@FeatureRequired` replaces the controller's. `@FeatureRequired([])` on a handler lifts the controller's.
 * @example
 * @FeatureRequired('new-checkout')
 * @Controller('checkout')
 * export class CheckoutController {
 *   @Get('express') @FeatureRequired(['new-checkout', 'express-pay']) pay() {}
 * }
 */
export function FeatureRequired(
  flags: string | readonly string[],
  options: RequirementOptions = {},
): ClassDecorator & MethodDecorator {
  const names = typeof flags === 'string' ? [flags] : flags;
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string' || name === '')) {
    throw new ConfigurationError(
      `@FeatureRequired(flags): flags must be a flag name or a list of them, e.g. @FeatureRequired('new-checkout'); got ${JSON.stringify(flags)}`,
    );
  }
  checkOnDisabled('@FeatureRequired', options);
  const requirement: FeatureRequirement = { flags: [...names], onDisabled: options.onDisabled };
  return requirementDecorator(FEATURE_REQUIRED_METADATA, requirement);
}

/**
 * Serves the route only when the flag is on with one of these variants for the request; otherwise the 404 (or
 * `onDisabled`). Independent of `@FeatureRequired`: a route can have both.
 * @example
 * @Get('checkout') @VariantRequired('checkout-experiment', ['b']) checkoutB() {}
 */
export function VariantRequired(
  flag: string,
  variants: string | readonly string[],
  options: RequirementOptions = {},
): ClassDecorator & MethodDecorator {
  const names = typeof variants === 'string' ? [variants] : variants;
  if (typeof flag !== 'string' || flag === '' || !Array.isArray(names) || names.length === 0) {
    throw new ConfigurationError(
      `@VariantRequired(flag, variants): give a flag name and the variants that may see the route, e.g. @VariantRequired('experiment', ['b']); got ${JSON.stringify([flag, variants])}`,
    );
  }
  checkOnDisabled('@VariantRequired', options);
  const requirement: VariantRequirement = { flag, variants: [...names], onDisabled: options.onDisabled };
  return requirementDecorator(VARIANT_REQUIRED_METADATA, requirement);
}

function requirementDecorator(key: string, requirement: object): ClassDecorator & MethodDecorator {
  const setMetadata = SetMetadata(key, requirement);
  // On a handler the guard runs with the handler's guards; on a class, with the class's (see guard order).
  const handlerGuard = UseGuards(FeatureFlagsGuard);
  const classGuard = UseGuards(ControllerFeatureFlagsGuard);
  return ((target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor === undefined) {
      setMetadata(target as Function);
      classGuard(target as Function);
      return;
    }
    setMetadata(target, propertyKey!, descriptor);
    handlerGuard(target, propertyKey!, descriptor);
  }) as ClassDecorator & MethodDecorator;
}

function checkOnDisabled(decorator: string, options: RequirementOptions): void {
  if (options?.onDisabled !== undefined && typeof options.onDisabled !== 'function') {
    throw new ConfigurationError(
      `${decorator}(…, { onDisabled }): onDisabled must be a function returning the exception, e.g. () => new ServiceUnavailableException('down for maintenance')`,
    );
  }
}

/**
 * The request's lazy flags as a handler parameter: `flags.newPricing`, `flags.variant('checkout-copy')`.
 * Built once per request from `req.user`, the session, the IP and the module's `context` hook.
 * @example
 * @Get() show(@Flags() flags: RequestFlags) { return flags.newPricing ? 'new' : 'old'; }
 */
export const Flags: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestFlags => {
    // The HTTP request and response, without switchToHttp()'s allocation.
    const flags = flagsOfRequest(context.getArgByIndex(0), context.getArgByIndex(1));
    if (flags === undefined) {
      throw new ConfigurationError(
        '@Flags() found no flags on the request: add FeatureFlagsModule.forRoot({ ... }) to the imports of your ' +
          'root module (it attaches them to HTTP requests on the Express and Fastify platforms)',
      );
    }
    return flags;
  },
);
