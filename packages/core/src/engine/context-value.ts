// Reading a context field the way unleash-client does, without building its merged context per call.
//
// unleash-client evaluates against `{ ...staticContext, ...context }` and resolves a field with
// `context[field] ?? context.properties?.[field]`, stringified. Here the static value of a field is captured at
// compile time and used when the caller's context does not own the field.
import type { FlagContext } from '../types.js';

/** The static part of the context (unleash-client's `{ appName, environment }`). */
export interface StaticContext {
  appName?: string;
  environment?: string;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The static context's value for `field` (only appName and environment have one).
 * @example
 * staticValueOf('environment', { environment: 'production' }); // 'production'
 */
export function staticValueOf(field: string, staticContext: StaticContext | undefined): string | undefined {
  if (staticContext === undefined || (field !== 'appName' && field !== 'environment')) return undefined;
  return staticContext[field];
}

/**
 * A field of unleash-client's merged context `{ ...staticContext, ...context }`: the top level, then `properties`;
 * undefined when absent or null. A plain function rather than a closure per constraint: compiled flags stay small.
 * @example
 * readField({ properties: { plan: 'pro' } }, 'plan', undefined); // 'pro'
 */
export function readField(context: FlagContext, field: string, staticValue: string | undefined): unknown {
  let value = context[field];
  // spread semantics: an own `appName: undefined` hides the static value, a missing key does not
  if (value === undefined && staticValue !== undefined && !hasOwn.call(context, field)) value = staticValue;
  if (value === undefined || value === null) {
    const properties = context.properties;
    value = properties === undefined || properties === null ? undefined : properties[field];
  }
  return value === null ? undefined : value;
}

/**
 * unleash-client's `resolveContextValue`: the field's value as a string, or undefined.
 * @example
 * readFieldText({ userId: 7 }, 'userId', undefined); // '7'
 */
export function readFieldText(
  context: FlagContext,
  field: string,
  staticValue: string | undefined,
): string | undefined {
  const value = readField(context, field, staticValue);
  return value === undefined ? undefined : typeof value === 'string' ? value : String(value);
}
