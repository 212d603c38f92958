// Reading a context field the way unleash-client does, without building its merged context per call.
//
// unleash-client evaluates against `{ ...staticContext, ...context }` and resolves a field with
// `context[field] ?? context.properties?.[field]`, stringified. Here the static values are captured in the reader
// at compile time: a field the caller's context does not own falls back to the static value.
import type { FlagContext } from '../types.js';

/** The static part of the context (unleash-client's `{ appName, environment }`). */
export interface StaticContext {
  appName?: string;
  environment?: string;
}

/** Reads one field's raw value: the top level, then `properties`; `undefined` when absent or null. */
export type RawReader = (context: FlagContext) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Builds the raw reader of `field`, with the static context merged under the caller's context.
 * @example
 * const readPlan = rawReader('plan', {}); readPlan({ properties: { plan: 'pro' } }); // 'pro'
 */
export function rawReader(field: string, staticContext: StaticContext | undefined): RawReader {
  const staticValue =
    staticContext !== undefined && (field === 'appName' || field === 'environment')
      ? staticContext[field]
      : undefined;
  if (staticValue !== undefined) {
    return (context) => {
      let value = context[field];
      // spread semantics: an own `appName: undefined` hides the static value, a missing key does not
      if (value === undefined && !hasOwn.call(context, field)) value = staticValue;
      if (value === undefined || value === null) {
        const properties = context.properties;
        value = properties === undefined || properties === null ? undefined : properties[field];
      }
      return value === null ? undefined : value;
    };
  }
  return (context) => {
    let value = context[field];
    if (value === undefined || value === null) {
      const properties = context.properties;
      value = properties === undefined || properties === null ? undefined : properties[field];
    }
    return value === null ? undefined : value;
  };
}

/**
 * String form of a raw context value, as unleash-client's `String(value)`.
 * @example
 * asString(42); // '42'
 */
export function asString(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * Reader that returns the stringified value or `undefined` (unleash-client's `resolveContextValue`).
 * @example
 * stringReader('userId', undefined)({ userId: 7 }); // '7'
 */
export function stringReader(
  field: string,
  staticContext: StaticContext | undefined,
): (context: FlagContext) => string | undefined {
  const read = rawReader(field, staticContext);
  return (context) => {
    const value = read(context);
    return value === undefined ? undefined : typeof value === 'string' ? value : String(value);
  };
}

/**
 * The value of a top-level field of the merged context (no `properties` lookup), as unleash-client's strategies
 * read `context.userId` directly.
 * @example
 * topLevelReader('environment', { environment: 'production' })({}); // 'production'
 */
export function topLevelReader(field: string, staticContext: StaticContext | undefined): RawReader {
  const staticValue =
    staticContext !== undefined && (field === 'appName' || field === 'environment')
      ? staticContext[field]
      : undefined;
  if (staticValue === undefined) return (context) => context[field];
  return (context) => {
    const value = context[field];
    return value === undefined && !hasOwn.call(context, field) ? staticValue : value;
  };
}
