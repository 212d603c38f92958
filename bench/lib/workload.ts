// The workload every HTTP suite serves, so their ratios read alike: 200 flags in the shapes real apps have,
// 50 users cycling through `x-user-id` with a plan in `x-plan`, and one small JSON body.
import {
  compileFlags,
  type FeatureDefinition,
  type FlagContext,
  type FlagHandle,
  toPropertyName,
  type VariantResult,
} from '@flagwise/core';

export const FLAG_COUNT = 200;
/** the flag that guards the route (always on) */
export const GUARD_FLAG = 'flag-000';
/** read per request: a 50% rollout, a rollout constrained to a plan, a flag with two variants */
export const ROLLOUT_FLAG = 'flag-001';
export const PLAN_FLAG = 'flag-002';
export const VARIANT_FLAG = 'flag-003';
export const USERS = Array.from({ length: 50 }, (_, i) => `user-${i}`);
export const PRODUCTS = [
  { id: 1, name: 'Lamp', price: 49 },
  { id: 2, name: 'Desk', price: 349 },
];

/** The requests autocannon cycles through: every user, a third of them on the pro plan. */
export const REQUESTS = USERS.map((user, i) => ({
  path: '/products',
  headers: { 'x-user-id': user, 'x-plan': i % 3 === 0 ? 'pro' : 'free' },
}));

/** 200 flags in the shapes real apps have: on/off toggles, rollouts, constraints, variants. */
export function definitions(): FeatureDefinition[] {
  return Array.from({ length: FLAG_COUNT }, (_, i): FeatureDefinition => {
    const name = `flag-${String(i).padStart(3, '0')}`;
    const kind = i === 0 ? 0 : i % 4;
    const rollout = {
      name: 'flexibleRollout',
      parameters: { rollout: '50', stickiness: 'default', groupId: name },
      constraints: [],
    };
    switch (kind) {
      case 1:
        return { name, enabled: true, strategies: [rollout], variants: [] };
      case 2:
        return {
          name,
          enabled: true,
          strategies: [
            {
              ...rollout,
              constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro', 'enterprise'] }],
            },
          ],
          variants: [],
        };
      case 3:
        return {
          name,
          enabled: true,
          strategies: [{ name: 'default', parameters: {}, constraints: [] }],
          variants: ['control', 'treatment'].map((variant) => ({
            name: variant,
            weight: 500,
            weightType: 'variable',
            stickiness: 'default',
          })),
        };
      default:
        return {
          name,
          enabled: true,
          strategies: [{ name: 'default', parameters: {}, constraints: [] }],
          variants: [],
        };
    }
  });
}

/**
 * The workload's four evaluations with no flagwise request object, adapter or memo: the guard flag, then the
 * three values a handler reads, straight on the compiled engine. The suites' "same shape by hand" rows use it to
 * show what the API shape itself (a middleware building the context, a guard, the reads) costs a framework.
 */
export function handWrittenEvaluations() {
  const compiled = compileFlags({ version: 2, features: definitions() });
  return {
    guard: (context: FlagContext) => compiled.isEnabled(GUARD_FLAG, context),
    reads: (context: FlagContext) => ({
      rollout: compiled.isEnabled(ROLLOUT_FLAG, context),
      plan: compiled.isEnabled(PLAN_FLAG, context),
      variant: compiled.getVariant(VARIANT_FLAG, context).name,
    }),
  };
}

/**
 * The workload's four evaluations as an app writes them by hand on flagwise's own public client: no adapter, no
 * request object, `client.isEnabled` / `client.getVariant` with a context built from the two headers. The suites'
 * "on flagwise's public client" rows use it: what an app would pay without the adapter at all.
 */
export function publicClientEvaluations(client: {
  isEnabled(name: string, context: FlagContext): boolean;
  getVariant(name: string, context: FlagContext): VariantResult;
}) {
  return {
    /** the context from the two headers, as such an app builds it */
    contextOf: (headers: Record<string, string | string[] | undefined>): FlagContext => ({
      userId: headers['x-user-id'] as string | undefined,
      properties: { plan: headers['x-plan'] as string | undefined },
    }),
    guard: (context: FlagContext) => client.isEnabled(GUARD_FLAG, context),
    reads: (context: FlagContext) => ({
      rollout: client.isEnabled(ROLLOUT_FLAG, context),
      plan: client.isEnabled(PLAN_FLAG, context),
      variant: client.getVariant(VARIANT_FLAG, context).name,
    }),
  };
}

/** What an app reads per request through a per-request flags object: flagwise's, or the one by hand. */
export type FlagsObject = { readonly [property: string]: unknown } & {
  variant(name: string): { name: string };
};

/** The 3 reads every app makes through its flags object (2 properties, 1 variant), as the JSON it answers. */
export function readThrough(flags: FlagsObject) {
  return { rollout: flags.flag001, plan: flags.flag002, variant: flags.variant(VARIANT_FLAG).name };
}

/**
 * A lazy `req.flags` as one would write it by hand: a Proxy per request that reads a flag by its camelCase property (or
 * its exact name), evaluated at first read and memoized for the request, and a `variant(name)` method,
 * memoized too (one Map each), over the compiled engine. No overrides, warnings, metrics, deferred context or
 * template support. The suites' "the same object by hand" rows use it: what a lazy, memoized per-request object itself
 * costs, beside the rows that evaluate with no object at all.
 */
export function handWrittenFlagsObject() {
  const compiled = compileFlags({ version: 2, features: definitions() });
  const byProperty = new Map<string, FlagHandle>();
  for (const name of compiled.names()) {
    byProperty.set(toPropertyName(name), compiled.handle(name)!);
    byProperty.set(name, compiled.handle(name)!);
  }
  interface State {
    context: FlagContext;
    values: Map<FlagHandle, boolean> | undefined;
    variants: Map<FlagHandle, VariantResult> | undefined;
    variant: ((name: string) => VariantResult) | undefined;
  }
  const variantOf = (state: State, name: string): VariantResult => {
    const flag = byProperty.get(name);
    if (flag === undefined) return compiled.getVariant(name, state.context);
    const variants = (state.variants ??= new Map());
    let value = variants.get(flag);
    if (value === undefined) variants.set(flag, (value = compiled.getVariantHandle(flag, state.context)));
    return value;
  };
  const handler: ProxyHandler<State> = {
    get(state, key) {
      if (key === 'variant') return (state.variant ??= (name) => variantOf(state, name));
      const flag = typeof key === 'string' ? byProperty.get(key) : undefined;
      if (flag === undefined) return undefined;
      const values = (state.values ??= new Map());
      let value = values.get(flag);
      if (value === undefined) values.set(flag, (value = compiled.isEnabledHandle(flag, state.context)));
      return value;
    },
  };
  return {
    /** one request's flags */
    flagsFor: (context: FlagContext) =>
      new Proxy<State>(
        { context, values: undefined, variants: undefined, variant: undefined },
        handler,
      ) as unknown as HandWrittenFlags,
  };
}

/** What `handWrittenFlagsObject().flagsFor()` returns. */
export type HandWrittenFlags = { readonly [property: string]: boolean } & {
  variant(name: string): VariantResult;
};

/**
 * The lazy `req.flags` at its leanest by hand: a class made once for the flags whose prototype has an accessor per
 * flag property (camelCase and exact name), the context built from the request at the first read (as flagwise
 * does, so auth that runs after the middleware counts), each value and variant memoized in one small array per
 * request, `variant(name)` on the prototype. No overrides, warnings, telemetry, unknown-name handling or template
 * view. Suite 20 uses it: what laziness, memoizing and a deferred context cost at the least, written by hand.
 */
export function leanFlagsObject<Request>(contextOf: (request: Request) => FlagContext) {
  const compiled = compileFlags({ version: 2, features: definitions() });
  const byName = new Map<string, FlagHandle>();
  class LeanFlags {
    #context: FlagContext | undefined = undefined;
    /** flag, value, variant triples in the order read */
    #reads: (FlagHandle | boolean | VariantResult | undefined)[] | undefined = undefined;
    constructor(readonly request: Request) {}
    #slot(flag: FlagHandle): number {
      const reads = (this.#reads ??= []);
      for (let at = 0; at < reads.length; at += 3) if (reads[at] === flag) return at;
      reads.push(flag, undefined, undefined);
      return reads.length - 3;
    }
    #contextNow(): FlagContext {
      return (this.#context ??= contextOf(this.request));
    }
    static value(flags: LeanFlags, flag: FlagHandle): boolean {
      const slot = flags.#slot(flag);
      const reads = flags.#reads!;
      let value = reads[slot + 1] as boolean | undefined;
      if (value === undefined) reads[slot + 1] = value = compiled.isEnabledHandle(flag, flags.#contextNow());
      return value;
    }
    variant(name: string): VariantResult {
      const flag = byName.get(name);
      if (flag === undefined) return compiled.getVariant(name, this.#contextNow());
      const slot = this.#slot(flag);
      const reads = this.#reads!;
      let variant = reads[slot + 2] as VariantResult | undefined;
      if (variant === undefined)
        reads[slot + 2] = variant = compiled.getVariantHandle(flag, this.#contextNow());
      return variant;
    }
  }
  const value = LeanFlags.value;
  for (const name of compiled.names()) {
    const flag = compiled.handle(name)!;
    byName.set(name, flag);
    for (const key of new Set([name, toPropertyName(name)])) {
      Object.defineProperty(LeanFlags.prototype, key, {
        get(this: LeanFlags) {
          return value(this, flag);
        },
      });
    }
  }
  return {
    /** one request's flags, their context built at the first read */
    flagsFor: (request: Request) => new LeanFlags(request) as unknown as HandWrittenFlags,
  };
}
