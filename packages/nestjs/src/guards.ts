// The guard @FeatureRequired / @VariantRequired put on a route: it reads their metadata and throws (404 by
// default) when the route is off for the request. It serves HTTP routes and GraphQL resolvers; in a context
// without an HTTP request (a microservice message, a WebSocket event) it refuses every call, as the module warns
// when the app starts.
import { ConfigurationError, type RequestFlags } from '@flagwise/core';
import { type AdapterSetup, type CheckedGuard, flagAllows } from '@flagwise/core/adapter';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  NotFoundException,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { NestAdapterOptions, OnDisabled } from './options.js';
import { platformCallOf } from './platform-call.js';
import { flagsOfRequest, type NestRequestFlags } from './platform-request.js';
import {
  FEATURE_FLAGS_SETUP,
  FEATURE_REQUIRED_METADATA,
  REQUEST_FLAGS,
  VARIANT_REQUIRED_METADATA,
} from './tokens.js';

/** What `@FeatureRequired` stores: a checked guard per flag (each credited to the app it serves). */
export interface FeatureRequirement {
  guards: readonly CheckedGuard<OnDisabled>[];
  onDisabled?: OnDisabled;
}

/** What `@VariantRequired` stores. */
export interface VariantRequirement {
  guard: CheckedGuard<OnDisabled>;
  onDisabled?: OnDisabled;
}

interface Requirements {
  feature: FeatureRequirement | undefined;
  variant: VariantRequirement | undefined;
}

/**
 * Checks `@FeatureRequired` and `@VariantRequired` for a request, reading their metadata with
 * `reflector.getAllAndOverride([handler, class])`: the handler's decorator wins over the class's.
 * The decorators apply it where they are written (see the README on guard order); there is nothing to register.
 * @example
 * @FeatureRequired('beta-page') // adds FeatureFlagsGuard to this handler's guards
 * @UseGuards(AuthGuard('jwt')) // written below: runs first
 * @Get('beta') beta() {}
 */
@Injectable()
export class FeatureFlagsGuard implements CanActivate {
  constructor(
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(REQUEST_FLAGS) private readonly requestFlags?: NestRequestFlags,
    @Optional() @Inject(FEATURE_FLAGS_SETUP) private readonly setup?: AdapterSetup<any, NestAdapterOptions>,
  ) {
    if (requestFlags === undefined || setup === undefined) {
      throw new ConfigurationError(
        '@FeatureRequired() / @VariantRequired() need FeatureFlagsModule: add ' +
          'FeatureFlagsModule.forRoot({ ... }) to the imports of your root module',
      );
    }
  }

  // What each handler (of each controller class) requires, read from metadata once.
  private readonly requirements = new WeakMap<Function, Map<Function, Requirements | null>>();

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const requirements = this.requirementsOf(context.getHandler(), context.getClass());
    if (requirements === null) return true;
    const call = platformCallOf(context);
    // No HTTP request to read flags from (a microservice message, a WebSocket event): closed, as warned at startup.
    if (call === undefined) return false;
    const { request } = call;
    // Builds the flags now, after the guards before this one (an auth guard's req.user is in their context).
    const waiting = this.requestFlags!.ready(request, call.response);
    if (waiting === undefined) return this.allows(context, request, requirements);
    return waiting.then(() => this.allows(context, request, requirements));
  }

  private allows(context: ExecutionContext, request: unknown, requirements: Requirements): boolean {
    const { feature, variant } = requirements;
    const flags = flagsOfRequest(request)!;
    if (feature !== undefined) {
      for (const guard of feature.guards) {
        if (!flagAllows(flags, guard.name, undefined, guard))
          throw this.disabled(context, request, flags, guard.name, feature.onDisabled);
      }
    }
    if (variant !== undefined) {
      const { guard } = variant;
      if (!flagAllows(flags, guard.name, guard.variants, guard)) {
        throw this.disabled(context, request, flags, guard.name, variant.onDisabled);
      }
    }
    return true;
  }

  private requirementsOf(handler: Function, controller: Function): Requirements | null {
    let byController = this.requirements.get(handler);
    if (byController === undefined) this.requirements.set(handler, (byController = new Map()));
    let requirements = byController.get(controller);
    if (requirements === undefined) {
      const feature = this.featureRequirement(handler, controller);
      const variant = this.variantRequirement(handler, controller);
      requirements = feature === undefined && variant === undefined ? null : { feature, variant };
      byController.set(controller, requirements);
    }
    return requirements;
  }

  protected featureRequirement(handler: Function, controller: Function): FeatureRequirement | undefined {
    return this.reflector.getAllAndOverride(FEATURE_REQUIRED_METADATA, [handler, controller]);
  }

  protected variantRequirement(handler: Function, controller: Function): VariantRequirement | undefined {
    return this.reflector.getAllAndOverride(VARIANT_REQUIRED_METADATA, [handler, controller]);
  }

  private disabled(
    context: ExecutionContext,
    request: unknown,
    flags: RequestFlags,
    flag: string,
    onDisabled: OnDisabled | undefined,
  ): Error {
    const answer = onDisabled ?? this.setup!.options.onDisabled;
    if (answer !== undefined) return answer({ flag, request, flags, context });
    if (context.getType<string>() === 'graphql') {
      // What GraphQL answers for a field the schema does not have.
      const info = context.getArgByIndex(3) as { fieldName?: string; parentType?: unknown } | undefined;
      return new NotFoundException(
        `Cannot query field "${info?.fieldName}" on type "${String(info?.parentType)}"`,
      );
    }
    // Exactly what Nest answers for a route that does not exist, on either platform.
    const adapter = this.adapterHost.httpAdapter;
    return new NotFoundException(
      `Cannot ${adapter.getRequestMethod(request)} ${adapter.getRequestUrl(request)}`,
    );
  }
}

/**
 * What a class-level decorator applies: checks only the class's requirements that the handler does not
 * override, so a handler's own decorator (and the guard it brings) decides at the handler's level.
 */
@Injectable()
export class ControllerFeatureFlagsGuard extends FeatureFlagsGuard {
  protected override featureRequirement(
    handler: Function,
    controller: Function,
  ): FeatureRequirement | undefined {
    if (this.reflector.get(FEATURE_REQUIRED_METADATA, handler) !== undefined) return undefined;
    return this.reflector.get(FEATURE_REQUIRED_METADATA, controller);
  }

  protected override variantRequirement(
    handler: Function,
    controller: Function,
  ): VariantRequirement | undefined {
    if (this.reflector.get(VARIANT_REQUIRED_METADATA, handler) !== undefined) return undefined;
    return this.reflector.get(VARIANT_REQUIRED_METADATA, controller);
  }
}
