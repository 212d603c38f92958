// The options of createFlags(), checked once: anything but an object, or an unknown key, fails at startup with
// the nearest valid key.
import { ConfigurationError } from '../errors.js';
import { checkKnownKeys } from '../nearest-name.js';
import type { OverrideOptions } from '../request/overrides.js';
import type { CustomStrategy, FlagSource, Logger } from '../types.js';
import type { EventStreamOptions } from './event-stream-limits.js';
import type { TelemetryOptions } from './telemetry-options.js';

export interface FlagsOptions<Request = any> {
  /** where definitions come from; default: flags.yaml, flags.yml or flags.json in the working directory */
  source?: FlagSource;
  /** static context merged into every evaluation, as Unleash does */
  appName?: string;
  environment?: string;
  /** custom strategies, by name */
  strategies?: CustomStrategy[];
  /** pino-compatible logger; default: warnings, errors and the load line to stderr; `false`: silent */
  logger?: Logger | false;
  /** per-browser QA overrides in a signed cookie (off unless given) */
  overrides?: OverrideOptions<Request>;
  /** limits of the live pages' event streams (the dashboard, OFREP, the Frontend API); see EventStreamOptions */
  eventStreams?: EventStreamOptions;
  /**
   * OpenTelemetry (off unless given; needs `@opentelemetry/api`): each flag a request reads as a
   * `feature_flag.evaluation` event, evaluation counts, and each request's outcome by the flags and variants it
   * read. `true` for the defaults, or TelemetryOptions.
   */
  telemetry?: boolean | TelemetryOptions;
}

/** Every key of FlagsOptions, for the unknown-option check: the compiler keeps it complete. */
const FLAGS_OPTION_FIELDS: { [Key in keyof Required<FlagsOptions>]: true } = {
  source: true,
  appName: true,
  environment: true,
  strategies: true,
  logger: true,
  overrides: true,
  telemetry: true,
  eventStreams: true,
};

/** The option keys of `createFlags()`. */
export const FLAGS_OPTION_KEYS = Object.keys(FLAGS_OPTION_FIELDS) as readonly (keyof FlagsOptions)[];

/** Throws a ConfigurationError that says how to fix options that are not an object or hold an unknown key. */
export function checkFlagsOptions(options: unknown): void {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      'createFlags(options): options must be an object, e.g. createFlags({ source })',
    );
  }
  checkKnownKeys('createFlags(options)', options, FLAGS_OPTION_KEYS);
}

/** The static context of every evaluation: the `appName` and `environment` options that were given. */
export function staticContextOf(options: FlagsOptions<any>): { appName?: string; environment?: string } {
  const staticContext: { appName?: string; environment?: string } = {};
  if (options.appName !== undefined) staticContext.appName = options.appName;
  if (options.environment !== undefined) staticContext.environment = options.environment;
  return staticContext;
}
