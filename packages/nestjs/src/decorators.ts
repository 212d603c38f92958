// Decorators only set metadata (and apply the guard that reads it); @Flags() reads what the module attached.
import { ConfigurationError, type FlagName, type RequestFlags } from '@flagwise/core';
import { checkGuard, checkGuardOptions, describeArgument, settleRequestFlags } from '@flagwise/core/adapter';
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
  flags: FlagName | readonly FlagName[],
  options: RequirementOptions = {},
): ClassDecorator & MethodDecorator {
  const names: readonly unknown[] = typeof flags === 'string' ? [flags] : flags;
  if (!Array.isArray(names)) {
    throw new ConfigurationError(
      `@FeatureRequired(flags): flags must be a flag name or a list of them, e.g. @FeatureRequired('new-checkout'); got ${describeArgument(flags)}`,
    );
  }
  const rules = { onDisabledExample: ON_DISABLED_EXAMPLE };
  // An empty list (which lifts a controller's requirement) has only its options to check.
  const { onDisabled } = checkGuardOptions<OnDisabled>('@FeatureRequired([])', options, rules);
  const requirement: FeatureRequirement = {
    flags: names.map((name) => checkGuard<OnDisabled>('@FeatureRequired', name, options, rules).name),
    onDisabled,
  };
  return requirementDecorator(FEATURE_REQUIRED_METADATA, requirement);
}

/**
 * Serves the route only when the flag is on with one of these variants for the request; otherwise the 404 (or
 * `onDisabled`). Independent of `@FeatureRequired`: a route can have both.
 * @example
 * @Get('checkout') @VariantRequired('checkout-experiment', ['b']) checkoutB() {}
 */
export function VariantRequired(
  flag: FlagName,
  variants: string | readonly string[],
  options: RequirementOptions = {},
): ClassDecorator & MethodDecorator {
  const checked = checkGuard<OnDisabled>('@VariantRequired', flag, options, {
    variants,
    onDisabledExample: ON_DISABLED_EXAMPLE,
  });
  const requirement: VariantRequirement = {
    flag: checked.name,
    variants: [...checked.variants!],
    onDisabled: checked.onDisabled,
  };
  return requirementDecorator(VARIANT_REQUIRED_METADATA, requirement);
}

const ON_DISABLED_EXAMPLE = "() => new ServiceUnavailableException('down for maintenance')";

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

/**
 * The request's lazy flags as a handler parameter: `flags.newPricing`, `flags.variant('checkout-copy')`.
 * Built once per request from `req.user`, the session, the IP and the module's `context` hook.
 * @example
 * @Get() show(@Flags() flags: RequestFlags) { return flags.newPricing ? 'new' : 'old'; }
 */
export const Flags: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestFlags | Promise<RequestFlags> => {
    // The HTTP request, without switchToHttp()'s allocation.
    const request = context.getArgByIndex(0);
    const flags = flagsOfRequest(request);
    if (flags === undefined) {
      throw new ConfigurationError(
        '@Flags() found no flags on the request: add FeatureFlagsModule.forRoot({ ... }) to the imports of your ' +
          'root module (it attaches them to every HTTP request)',
      );
    }
    // Nest awaits a parameter that is a Promise: an async context hook or allow() settles before the handler.
    const waiting = settleRequestFlags(flags);
    return waiting === undefined ? flags : waiting.then(() => flags);
  },
);
