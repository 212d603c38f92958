// Route guards, the same rules in every adapter: what a guard's arguments must be, and the message when a guard
// runs without the adapter before it. Which clients check the names guards use is guarded-flags.ts.
import { ConfigurationError } from '../errors.js';
import { checkKnownKeys } from '../nearest-name.js';
import { declareGuard, type GuardDeclaration } from './guarded-flags.js';
import { describeArgument } from './options.js';

/**
 * A guard's arguments, checked; pass it to `flagAllows(flags, name, variants, guard)` so the client whose
 * requests it guards checks its flag name.
 */
export interface CheckedGuard<OnDisabled> extends GuardDeclaration {
  name: string;
  /** the variants that may pass, for a variant guard */
  variants: ReadonlySet<string> | undefined;
  onDisabled: OnDisabled | undefined;
}

/**
 * Checks a guard's arguments and declares its flag name for the unknown-name warning. `caller` is how the user
 * wrote it (`requireFeature("beta")`, `@FeatureRequired('beta')`, `route GET /beta: config.feature`);
 * `options` may hold `onDisabled` (and `variants` where `allowVariantsOption` says so).
 * @example const { name, onDisabled } = checkGuard('requireFeature', name, options, { onDisabledExample: '(req, res) => res.sendStatus(503)' });
 */
export function checkGuard<OnDisabled>(
  caller: string,
  name: unknown,
  options: unknown,
  rules: {
    /** the variants of a variant guard (given apart from options, or in them with `allowVariantsOption`) */
    variants?: unknown;
    allowVariantsOption?: boolean;
    /** an onDisabled the user could write, for the message */
    onDisabledExample: string;
    /** label the guard by `caller` alone (route configs), not `caller("name")` */
    plainLabel?: boolean;
    /**
     * The adapter says which app the guard serves as that app starts (Nest, at bootstrap: `guard.servedBy(client)`):
     * until then no client takes it.
     */
    claimedAtStartup?: boolean;
  },
): CheckedGuard<OnDisabled> {
  if (typeof name !== 'string' || name === '') {
    throw new ConfigurationError(
      rules.plainLabel
        ? `${caller} must be a flag name, e.g. 'beta-page'; got ${describeArgument(name)}`
        : `${caller}(name): name must be a flag name, e.g. ${caller}('beta-page'); got ${describeArgument(name)}`,
    );
  }
  const label = rules.plainLabel ? caller : `${caller}('${name}')`;
  const { variants, onDisabled } = checkGuardOptions<OnDisabled>(label, options, rules);
  return Object.assign(declareGuard(name, label, variants !== undefined, rules.claimedAtStartup === true), {
    variants,
    onDisabled,
  });
}

/**
 * Checks a guard's options alone (for a guard with no flag name, such as `@FeatureRequired([])`).
 * @example checkGuardOptions("@FeatureRequired([])", options, { onDisabledExample: '() => new ForbiddenException()' })
 */
export function checkGuardOptions<OnDisabled>(
  label: string,
  options: unknown,
  rules: { variants?: unknown; allowVariantsOption?: boolean; onDisabledExample: string },
): Pick<CheckedGuard<OnDisabled>, 'variants' | 'onDisabled'> {
  const given = options === undefined ? {} : options;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ConfigurationError(
      `${label}: options must be an object such as { onDisabled }; got ${describeArgument(given)}`,
    );
  }
  checkKnownKeys(label, given, rules.allowVariantsOption ? ['onDisabled', 'variants'] : ['onDisabled']);
  const { onDisabled, variants: variantsOption } = given as { onDisabled?: unknown; variants?: unknown };
  if (onDisabled !== undefined && typeof onDisabled !== 'function') {
    throw new ConfigurationError(
      `${label}: onDisabled must be a function, e.g. ${rules.onDisabledExample}; got ${describeArgument(onDisabled)}`,
    );
  }
  const wanted = rules.variants ?? variantsOption;
  let variants: Set<string> | undefined;
  if (wanted !== undefined || 'variants' in rules) {
    const list = typeof wanted === 'string' ? [wanted] : wanted;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
      throw new ConfigurationError(
        `${label}: variants must be a variant name or a non-empty list of them, e.g. ['b']; got ${describeArgument(wanted)}`,
      );
    }
    variants = new Set(list as string[]);
  }
  return { variants, onDisabled: onDisabled as OnDisabled | undefined };
}

/**
 * The error for a guard that found no flags on the request: what ran before what, and the fix. Frameworks that
 * cannot see the order at startup fail each such request with it; it is logged once per guard.
 * @example next(guardWithoutFlagsError(guard, "requireFeature('beta')", 'featureFlags()', 'add `app.use(featureFlags())` before this route'))
 */
export function guardWithoutFlagsError(
  guard: GuardDeclaration,
  label: string,
  adapter: string,
  fix: string,
): ConfigurationError {
  const error = new ConfigurationError(
    `${label} ran before ${adapter}, so the request has no flags and fails: ${fix}`,
  );
  guard.reportOnce(error);
  return error;
}
