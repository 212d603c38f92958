// Route guards, the same rules in every adapter: what a guard's arguments must be, the message when a guard
// runs without the adapter before it, and a warning (with the nearest defined name) for a guard naming a flag
// the loaded definitions lack, given when the flags load and after each change.
import type { FlagsClient } from '../client/flags-client.js';
import { ConfigurationError } from '../errors.js';
import { checkKnownKeys } from '../nearest-name.js';
import { requestPathOf } from '../request/request-path.js';
import { featureHasVariants, flagNameSuggestion } from '../snapshot/snapshot.js';
import { describeArgument } from './options.js';

/** A guard's arguments, checked. */
export interface CheckedGuard<OnDisabled> {
  name: string;
  /** the variants that may pass, for a variant guard */
  variants: ReadonlySet<string> | undefined;
  onDisabled: OnDisabled | undefined;
}

/**
 * Checks a guard's arguments and registers its flag name for the unknown-name warning. `caller` is how the user
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
  registerGuardedFlag(name, label, variants !== undefined);
  return { name, variants, onDisabled };
}

/**
 * Checks a guard's options alone (for a guard with no flag name, such as `@FeatureRequired([])`).
 * @example checkGuardOptions("@FeatureRequired([])", options, { onDisabledExample: '() => new ForbiddenException()' })
 */
export function checkGuardOptions<OnDisabled>(
  label: string,
  options: unknown,
  rules: { variants?: unknown; allowVariantsOption?: boolean; onDisabledExample: string },
): Omit<CheckedGuard<OnDisabled>, 'name'> {
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
 * The error for a guard that found no flags on the request.
 * @example next(guardWithoutFlagsError("requireFeature('beta')", 'featureFlags()', 'add `app.use(featureFlags())` before this route'))
 */
export function guardWithoutFlagsError(guard: string, adapter: string, fix: string): ConfigurationError {
  return new ConfigurationError(`${guard} ran before ${adapter}: ${fix}`);
}

// Every guarded flag name in the process, and the clients adapters attached, which check them.
const guarded = new Map<string, { where: Set<string>; needsVariants: boolean }>();
const watchers = new Set<WeakRef<GuardedNamesWatch>>();
let checkScheduled = false;

function registerGuardedFlag(name: string, where: string, needsVariants: boolean): void {
  const entry = guarded.get(name);
  if (entry === undefined) guarded.set(name, { where: new Set([where]), needsVariants });
  else {
    entry.where.add(where);
    entry.needsVariants ||= needsVariants;
  }
  if (checkScheduled || watchers.size === 0) return;
  checkScheduled = true;
  // Guards are declared in a burst while the app is built: check once the burst is over.
  setImmediate(() => {
    checkScheduled = false;
    for (const ref of watchers) {
      const watch = ref.deref();
      if (watch === undefined) watchers.delete(ref);
      else watch.check();
    }
  }).unref();
}

class GuardedNamesWatch {
  private checkedDefinitions: unknown;
  private readonly warned = new Set<string>();

  constructor(private readonly client: FlagsClient<any>) {}

  check(): void {
    const client = this.client;
    if (!client.isReady) return;
    const definitions = client.definitions();
    if (definitions !== this.checkedDefinitions) {
      this.checkedDefinitions = definitions;
      this.warned.clear();
    }
    for (const [name, { where, needsVariants }] of guarded) {
      const feature = client.feature(name);
      let problem: string | undefined;
      if (feature === undefined) {
        problem = `names flag "${name}", which is not defined: the route always answers as off${suggestion(client, name)}`;
      } else if (needsVariants && !featureHasVariants(feature)) {
        problem = `asks for variants of flag "${name}", which has none: the route always answers as off`;
      }
      if (problem === undefined || this.warned.has(name)) continue;
      this.warned.add(name);
      const message = `${[...where].join(', ')} ${problem}`;
      client.logger.warn({ flag: name }, `flagwise: ${message}`);
      if (client.listenerCount('warn') > 0) client.emit('warn', message);
    }
  }
}

const watched = new WeakSet<object>();

/**
 * Has the client check every guarded flag name when its flags load and after each change (adapters call it once
 * per client they attach).
 */
export function watchGuardedFlags(client: FlagsClient<any>): void {
  if (watched.has(client)) return;
  watched.add(client);
  const watch = new GuardedNamesWatch(client);
  watchers.add(new WeakRef(watch));
  const check = () => watch.check();
  client.on('ready', check);
  client.on('changed', check);
  if (client.isReady) setImmediate(check).unref();
}

function suggestion(client: FlagsClient<any>, name: string): string {
  const snapshot = requestPathOf(client)?.snapshot;
  return snapshot === undefined ? '' : flagNameSuggestion(snapshot, name);
}
