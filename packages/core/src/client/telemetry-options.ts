// The `telemetry` option of createFlags(), checked at startup, and the few parts of the OpenTelemetry API that
// flagwise calls, declared here so that core's own types need no OpenTelemetry package installed.
import { ConfigurationError } from '../errors.js';
import { checkKnownKeys } from '../nearest-name.js';

/** Attribute values as OpenTelemetry takes them. */
export type TelemetryAttributes = Record<string, string | number | boolean>;

/** The members of an OpenTelemetry span flagwise uses. */
export interface TelemetrySpan {
  isRecording(): boolean;
  addEvent(name: string, attributes?: TelemetryAttributes): unknown;
}

/** The members of an OpenTelemetry meter flagwise uses. */
export interface TelemetryMeter {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: TelemetryAttributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(value: number, attributes?: TelemetryAttributes): void };
}

/** The members of an OpenTelemetry logger flagwise uses. */
export interface TelemetryLogger {
  emit(record: { eventName?: string; attributes?: TelemetryAttributes; severityNumber?: number }): void;
}

/** `logs` of `@opentelemetry/api` (1.10 and later) or of `@opentelemetry/api-logs`. */
export interface TelemetryLogsApi {
  getLogger(name: string, version?: string): TelemetryLogger;
}

/** The parts of `@opentelemetry/api` flagwise calls. */
export interface OpenTelemetryApi {
  trace: { getActiveSpan(): TelemetrySpan | undefined };
  metrics: { getMeter(name: string, version?: string): TelemetryMeter };
  /** present from `@opentelemetry/api` 1.10; before it the Logs API is `@opentelemetry/api-logs` */
  logs?: TelemetryLogsApi;
}

/**
 * What flagwise records through OpenTelemetry (`createFlags({ telemetry })`). Nothing of OpenTelemetry is loaded
 * unless this is given.
 */
export interface TelemetryOptions {
  /**
   * Where each evaluation goes as a `feature_flag.evaluation` event: `'span'` (default) adds it to the active span
   * (the request's), or emits it as a log record when no span is recording (a job); `'log'` always emits a log
   * record (correlated with the active span by the SDK); `false` records none (metrics stay).
   */
  evaluations?: 'span' | 'log' | false;
  /**
   * The flags counted and whose effect on requests is recorded (bounded cardinality); default every defined flag.
   * Names only: never user data.
   */
  flags?: readonly string[];
  /** Record `feature_flag.context.id` (the userId, else the sessionId): it identifies a user. Default false. */
  contextId?: boolean;
  /**
   * The flags whose value may be recorded as `feature_flag.result.value` (the variant's payload, else true or
   * false); `true`: every flag. Default none: payloads can be private.
   */
  values?: boolean | readonly string[];
  /**
   * Record each request's outcome (duration, status class, whether it failed) by the flags and variants it read,
   * as OpenTelemetry metrics, on the dashboard, and as Unleash impact metrics on an Unleash source. Default true.
   */
  outcomes?: boolean;
  /** The OpenTelemetry API; default `require('@opentelemetry/api')`, resolved from flagwise's install. */
  api?: OpenTelemetryApi;
  /** The Logs API, for `@opentelemetry/api` before 1.10; default `@opentelemetry/api-logs` when installed. */
  logsApi?: TelemetryLogsApi;
}

/** The telemetry options with their defaults, checked. */
export interface ResolvedTelemetryOptions {
  evaluations: 'span' | 'log' | false;
  /** undefined: every defined flag */
  flags: ReadonlySet<string> | undefined;
  contextId: boolean;
  /** true: every flag */
  values: true | ReadonlySet<string>;
  outcomes: boolean;
  api: OpenTelemetryApi | undefined;
  logsApi: TelemetryLogsApi | undefined;
}

const TELEMETRY_OPTION_FIELDS: { [Key in keyof Required<TelemetryOptions>]: true } = {
  evaluations: true,
  flags: true,
  contextId: true,
  values: true,
  outcomes: true,
  api: true,
  logsApi: true,
};

const ENTRY = 'createFlags({ telemetry })';

/** The telemetry option, checked; undefined when telemetry is off. Throws a ConfigurationError with the fix. */
export function resolveTelemetryOptions(
  option: boolean | TelemetryOptions | undefined,
): ResolvedTelemetryOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const options: TelemetryOptions = option === true ? {} : option;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError(
      `${ENTRY}: telemetry must be true, false or an object, e.g. { telemetry: true }`,
    );
  }
  checkKnownKeys(`${ENTRY}`, options, Object.keys(TELEMETRY_OPTION_FIELDS));
  const { evaluations = 'span', flags, contextId = false, values = false, outcomes = true } = options;
  if (evaluations !== 'span' && evaluations !== 'log' && evaluations !== false) {
    throw new ConfigurationError(
      `${ENTRY}: evaluations must be 'span', 'log' or false, not ${String(evaluations)}`,
    );
  }
  if (typeof contextId !== 'boolean' || typeof outcomes !== 'boolean') {
    throw new ConfigurationError(`${ENTRY}: contextId and outcomes are true or false`);
  }
  return {
    evaluations,
    flags: flags === undefined ? undefined : new Set(namesOf(flags, 'flags')),
    contextId,
    values: values === true ? true : new Set(values === false ? [] : namesOf(values, 'values')),
    outcomes,
    api: apiOf(options.api),
    logsApi: options.logsApi,
  };
}

function namesOf(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    throw new ConfigurationError(`${ENTRY}: ${key} must be a list of flag names, e.g. ['new-pricing']`);
  }
  return value;
}

function apiOf(api: unknown): OpenTelemetryApi | undefined {
  if (api === undefined) return undefined;
  const candidate = api as Partial<OpenTelemetryApi> | null;
  if (
    typeof candidate?.trace?.getActiveSpan !== 'function' ||
    typeof candidate.metrics?.getMeter !== 'function'
  ) {
    throw new ConfigurationError(
      `${ENTRY}: api must be the OpenTelemetry API (import * as api from '@opentelemetry/api')`,
    );
  }
  return candidate as OpenTelemetryApi;
}
