// Decorators only set metadata (and apply the guard that reads it); @Flags() reads what the module attached.
import { ConfigurationError, type FlagName, type RequestFlags } from '@flagwise/core';
import { checkGuard, checkGuardOptions, describeArgument, settleRequestFlags } from '@flagwise/core/adapter';
import {
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
  type PipeTransform,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import {
  ControllerFeatureFlagsGuard,
  FeatureFlagsGuard,
  type FeatureRequirement,
  type VariantRequirement,
} from './guards.js';
import type { OnDisabled } from './options.js';
import { platformCallOf, unservedMessage } from './platform-call.js';
import { flagsOfRequest, type NestRequestFlags } from './platform-request.js';
import { FEATURE_REQUIRED_METADATA, REQUEST_FLAGS, VARIANT_REQUIRED_METADATA } from './tokens.js';

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
  const rules = { onDisabledExample: ON_DISABLED_EXAMPLE, claimedAtStartup: true };
  // An empty list (which lifts a controller's requirement) has only its options to check.
  const { onDisabled } = checkGuardOptions<OnDisabled>('@FeatureRequired([])', options, rules);
  const requirement: FeatureRequirement = {
    guards: names.map((name) => checkGuard<OnDisabled>('@FeatureRequired', name, options, rules)),
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
  const guard = checkGuard<OnDisabled>('@VariantRequired', flag, options, {
    variants,
    onDisabledExample: ON_DISABLED_EXAMPLE,
    claimedAtStartup: true,
  });
  const requirement: VariantRequirement = { guard, onDisabled: guard.onDisabled };
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
 * What `@Flags()` gives a handler: the flags of its HTTP request (or, in a GraphQL resolver, of the request in
 * the GraphQL context). The module finds the parameters that use it by this function.
 */
export function flagsParameter(
  _data: unknown,
  context: ExecutionContext,
): RequestFlags | Promise<RequestFlags> {
  const call = platformCallOf(context);
  if (call === undefined) {
    const handler = `${context.getClass().name}.${context.getHandler().name}`;
    throw new ConfigurationError(
      unservedMessage('@Flags()', handler, context.getType<string>(), 'throws on every call'),
    );
  }
  const flags = flagsOfRequest(call.request);
  if (flags === undefined) {
    throw new ConfigurationError(
      '@Flags() found no flags on the request: add FeatureFlagsModule.forRoot({ ... }) to the imports of your ' +
        'root module (it attaches them to every HTTP request)',
    );
  }
  // Nest awaits a parameter that is a Promise: an async context hook or allow() settles before the handler.
  const waiting = settleRequestFlags(flags);
  return waiting === undefined ? flags : waiting.then(() => flags);
}

const flagsDecorator = createParamDecorator(flagsParameter);

/**
 * The pipe every `@Flags()` parameter carries, so that Nest makes it while the app bootstraps: an app without
 * FeatureFlagsModule fails there, saying so, rather than with a 500 on each request. It passes the flags through.
 */
@Injectable()
export class FlagsModulePresent implements PipeTransform {
  constructor(@Optional() @Inject(REQUEST_FLAGS) requestFlags?: NestRequestFlags) {
    if (requestFlags === undefined) {
      throw new ConfigurationError(
        '@Flags() needs FeatureFlagsModule: add FeatureFlagsModule.forRoot({ ... }) to the imports of your root ' +
          'module (it attaches the flags to every HTTP request)',
      );
    }
  }

  transform(flags: unknown): unknown {
    return flags;
  }
}

/**
 * The request's lazy flags as a handler parameter: `flags.newPricing`, `flags.variant('checkout-copy')`.
 * Built once per request from `req.user`, the session, the IP and the module's `context` hook. In HTTP handlers
 * and GraphQL resolvers; a microservice or WebSocket handler that takes it is named in a warning at startup, and
 * the parameter throws there.
 * @example
 * @Get() show(@Flags() flags: RequestFlags) { return flags.newPricing ? 'new' : 'old'; }
 * @example
 * @Query(() => String) price(@Flags() flags: RequestFlags) { return flags.newPricing ? '9' : '10'; }
 */
export const Flags = (): ParameterDecorator => flagsDecorator(FlagsModulePresent);
