// OpenFeature's evaluation context → Unleash's context, as flagwise evaluates it. The README's table says the
// same, field by field.
import type { FlagContext } from '../types.js';

type PropertyValue = string | number | boolean;

/**
 * Maps an OpenFeature evaluation context to flagwise's (Unleash's) context:
 * `targetingKey` → `userId` (an explicit `userId` wins), `userId`, `sessionId`, `remoteAddress`, `environment`,
 * `appName` and `currentTime` keep their names, the entries of a `properties` object and every other field
 * become `properties`. Strings, numbers and booleans are taken as they are, dates as ISO strings; objects,
 * arrays and null are left out (Unleash constraints compare single values).
 * @example
 * toFlagContext({ targetingKey: 'user-42', plan: 'pro' }) // { userId: 'user-42', properties: { plan: 'pro' } }
 */
export function toFlagContext(context: Readonly<Record<string, unknown>> | undefined): FlagContext {
  const result: FlagContext = {};
  if (context === undefined || context === null) return result;
  let properties: Record<string, PropertyValue> | undefined;
  for (const key in context) {
    const value = context[key];
    switch (key) {
      case 'targetingKey':
        // An explicit userId wins over targetingKey, whichever comes first.
        if (typeof value === 'string' && value !== '' && context.userId === undefined) result.userId = value;
        break;
      case 'userId':
      case 'sessionId':
      case 'remoteAddress':
      case 'environment':
      case 'appName': {
        const single = singleValue(value);
        if (single !== undefined) result[key] = String(single);
        break;
      }
      case 'currentTime':
        if (value instanceof Date || typeof value === 'string') result.currentTime = value;
        break;
      default: {
        if (key === 'properties' && isRecord(value)) {
          for (const name in value) {
            const single = singleValue(value[name]);
            if (single !== undefined) (properties ??= {})[name] = single;
          }
          break;
        }
        const single = singleValue(value);
        if (single !== undefined) (properties ??= {})[key] = single;
      }
    }
  }
  if (properties !== undefined) result.properties = properties;
  return result;
}

function singleValue(value: unknown): PropertyValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    default:
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
