// What the module learns of the app's handlers as it starts. Each @FeatureRequired / @VariantRequired in the app
// serves this app's client, which checks its flag names (and no other app's client does). Each handler flagwise
// cannot serve — a microservice message handler or a WebSocket gateway's, which have no HTTP request to take
// flags from — that a guard or `@Flags()` is on is named in a warning: the guard refuses every call there, and
// `@Flags()` throws.
import type { FlagsClient } from '@flagwise/core';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { flagsParameter } from './decorators.js';
import type { FeatureRequirement, VariantRequirement } from './guards.js';
import { unservedMessage } from './platform-call.js';
import { FEATURE_REQUIRED_METADATA, VARIANT_REQUIRED_METADATA } from './tokens.js';

// Nest's own metadata keys (the same in Nest 10, 11 and 12), read by name so that @nestjs/microservices and
// @nestjs/websockets need not be installed.
const MESSAGE_PATTERN_METADATA = 'microservices:pattern';
const WEBSOCKET_MESSAGE_METADATA = 'websockets:message_mapping';
const ROUTE_ARGS_METADATA = '__routeArguments__';

/** What the scan needs of Nest. */
export interface HandlerScanTools {
  discovery: DiscoveryService;
  scanner: MetadataScanner;
  reflector: Reflector;
}

/** Credits the app's guards to its client, and warns about the handlers flagwise cannot serve. */
export function scanHandlers({ discovery, scanner, reflector }: HandlerScanTools, client: FlagsClient): void {
  const seen = new Set<Function>();
  for (const wrapper of [...discovery.getControllers(), ...discovery.getProviders()]) {
    // Classes only (a factory or a value provider has no handlers), each once.
    const type = wrapper.metatype;
    if (typeof type !== 'function' || wrapper.inject || seen.has(type) || type.prototype === undefined)
      continue;
    seen.add(type);
    const classFeature = reflector.get<FeatureRequirement | undefined>(FEATURE_REQUIRED_METADATA, type);
    const classVariant = reflector.get<VariantRequirement | undefined>(VARIANT_REQUIRED_METADATA, type);
    for (const name of scanner.getAllMethodNames(type.prototype)) {
      const handler = type.prototype[name] as Function;
      const feature = reflector.get<FeatureRequirement | undefined>(FEATURE_REQUIRED_METADATA, handler);
      const variant = reflector.get<VariantRequirement | undefined>(VARIANT_REQUIRED_METADATA, handler);
      const guards = [
        ...(feature?.guards ?? []),
        ...(variant ? [variant.guard] : []),
        ...(classFeature?.guards ?? []),
        ...(classVariant ? [classVariant.guard] : []),
      ];
      for (const guard of guards) guard.servedBy(client);

      const unserved = contextTypeOf(reflector, handler);
      if (unserved === undefined) continue;
      const label = `${type.name}.${name}`;
      // A handler's own requirement replaces its class's.
      const applied = [
        ...((feature ?? classFeature)?.guards ?? []),
        ...((variant ?? classVariant) ? [(variant ?? classVariant)!.guard] : []),
      ];
      if (applied.length > 0) {
        warn(
          client,
          unservedMessage(applied.map((g) => g.where).join(', '), label, unserved, 'refuses every call'),
        );
      }
      if (takesFlags(type, name))
        warn(client, unservedMessage('@Flags()', label, unserved, 'throws on every call'));
    }
  }
}

/** `rpc` for a microservice message handler, `ws` for a WebSocket gateway's; undefined for what flagwise serves. */
function contextTypeOf(reflector: Reflector, handler: Function): 'rpc' | 'ws' | undefined {
  if (reflector.get(MESSAGE_PATTERN_METADATA, handler) !== undefined) return 'rpc';
  if (reflector.get(WEBSOCKET_MESSAGE_METADATA, handler) !== undefined) return 'ws';
  return undefined;
}

/** Whether a parameter of the method is `@Flags()`. */
function takesFlags(type: Function, method: string): boolean {
  const parameters = Reflect.getMetadata(ROUTE_ARGS_METADATA, type, method) as
    | Record<string, { factory?: unknown }>
    | undefined;
  return Object.values(parameters ?? {}).some((parameter) => parameter.factory === flagsParameter);
}

function warn(client: FlagsClient, message: string): void {
  client.logger.warn({}, `flagwise: ${message}`);
  if (client.listenerCount('warn') > 0) client.emit('warn', message);
}
