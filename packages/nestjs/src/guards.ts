// The guard @FeatureRequired / @VariantRequired put on a route: it reads their metadata and throws (404 by
// default) when the route is off for the request.
import { ConfigurationError, type FlagsClient, flagAllows, type RequestFlags } from '@flagwise/core';
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
import {
  attachRequestFlags,
  type ExpressRequestFlags,
  expressRequestFlags,
  flagsOfRequest,
} from './platform-request.js';
import {
  FEATURE_FLAGS_CLIENT,
  FEATURE_FLAGS_OPTIONS,
  FEATURE_REQUIRED_METADATA,
  VARIANT_REQUIRED_METADATA,
} from './tokens.js';

/** What `@FeatureRequired` stores. */
export interface FeatureRequirement {
  flags: readonly string[];
  onDisabled?: OnDisabled;
}

/** What `@VariantRequired` stores. */
export interface VariantRequirement {
  flag: string;
  variants: readonly string[];
  onDisabled?: OnDisabled;
}

interface Requirements {
  feature: FeatureRequirement | undefined;
  variant: VariantRequirement | undefined;
  /** the variant requirement's names, as the set flagAllows takes */
  allowedVariants: ReadonlySet<string> | undefined;
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
    @Optional() @Inject(FEATURE_FLAGS_CLIENT) private readonly client?: FlagsClient,
    @Optional() @Inject(FEATURE_FLAGS_OPTIONS) private readonly options?: NestAdapterOptions,
  ) {
    if (client === undefined || options === undefined) {
      throw new ConfigurationError(
        '@FeatureRequired() / @VariantRequired() need FeatureFlagsModule: add ' +
          'FeatureFlagsModule.forRoot({ ... }) to the imports of your root module',
      );
    }
  }

  // What each handler (of each controller class) requires, read from metadata once.
  private readonly requirements = new WeakMap<Function, Map<Function, Requirements | null>>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const requirements = this.requirementsOf(context.getHandler(), context.getClass());
    if (requirements === null) return true;
    const { feature, variant, allowedVariants } = requirements;
    // The HTTP arguments are (request, response, next); switchToHttp() would allocate on every request.
    const request = context.getArgByIndex(0);
    const response = context.getArgByIndex(1);
    let flags = this.expressFlags()?.of(request, response) ?? flagsOfRequest(request, response);
    if (flags === undefined) {
      // A platform without the module's request hook: attach here.
      attachRequestFlags(request, response, this.client!, this.options!);
      flags = flagsOfRequest(request, response)!;
    }
    if (feature !== undefined) {
      for (const flag of feature.flags) {
        if (!flagAllows(flags, flag)) throw this.disabled(context, request, flags, flag, feature.onDisabled);
      }
    }
    if (variant !== undefined) {
      if (!flagAllows(flags, variant.flag, allowedVariants)) {
        throw this.disabled(context, request, flags, variant.flag, variant.onDisabled);
      }
    }
    return true;
  }

  // Express: the module's flags of this app's requests, found once; null on other platforms.
  private express: ExpressRequestFlags | null | undefined = undefined;

  private expressFlags(): ExpressRequestFlags | null {
    if (this.express === undefined) {
      const adapter = this.adapterHost.httpAdapter;
      if (adapter === undefined || adapter === null) return null;
      this.express = expressRequestFlags(adapter.getInstance()) ?? null;
    }
    return this.express;
  }

  private requirementsOf(handler: Function, controller: Function): Requirements | null {
    let byController = this.requirements.get(handler);
    if (byController === undefined) this.requirements.set(handler, (byController = new Map()));
    let requirements = byController.get(controller);
    if (requirements === undefined) {
      const feature = this.featureRequirement(handler, controller);
      const variant = this.variantRequirement(handler, controller);
      requirements =
        feature === undefined && variant === undefined
          ? null
          : { feature, variant, allowedVariants: variant && new Set(variant.variants) };
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
    const answer = onDisabled ?? this.options!.onDisabled;
    if (answer !== undefined) return answer({ flag, request, flags, context });
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
