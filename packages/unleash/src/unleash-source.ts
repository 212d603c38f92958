import { ConfigurationError } from '@flagwise/core';
import type { UnleashConfig } from 'unleash-client';
import {
  displayUrl,
  parseServerUrl,
  positiveMs,
  requestTimeoutMs,
  requireString,
  resolveBackupFile,
} from './options.js';
import { redactSecret } from './redact.js';
import { UnleashClientSource, type UnleashFlagSource } from './unleash-client-source.js';

/**
 * Options of `unleashSource()`; `url`, `apiToken` and `appName` are required.
 * @example
 * const options: UnleashSourceOptions = { url: 'https://unleash.example.com/api', apiToken, appName: 'shop', refreshInterval: 5_000 };
 */
export interface UnleashSourceOptions {
  /** The client API base, e.g. `https://unleash.example.com/api` (Unleash Edge: `https://edge.example.com/api`). */
  url: string;
  /**
   * A backend (client) API token, e.g. `default:production.<secret>` or Unleash 8's `…v2_<selector>_<secret>`;
   * sent as `Authorization` and never read for its project or environment.
   */
  apiToken: string;
  /** Your app's name as Unleash shows it under Applications and in usage metrics. */
  appName: string;
  /**
   * Informational for unleash-client; the token decides which environment's flags are served.
   * flagwise warns when the server says it serves another environment for the token. Set the evaluation
   * context's environment with `createFlags({ environment })`.
   */
  environment?: string;
  /** How often to poll, in ms. Default 15 000. Unleash answers unchanged polls with 304. */
  refreshInterval?: number;
  /** Only this project's flags (deprecated by Unleash in favour of project-scoped tokens). */
  projectName?: string;
  /** Only flags whose name starts with this. */
  namePrefix?: string;
  /** Only flags with these tags. */
  tags?: Array<{ name: string; value: string }>;
  /** Extra headers on every request (e.g. for a proxy in front of Unleash). */
  customHeaders?: Record<string, string>;
  /**
   * Directory for the backup file `unleash-backup-<appName>.json` (the last good flags, read at start when
   * the server is down). Default `.flagwise` in the working directory; `false` turns the backup off.
   */
  backupPath?: string | false;
  /** Count every evaluation into Unleash's usage metrics (exposure in the Unleash UI). Default true. */
  metrics?: boolean;
  /** How often usage metrics are sent, in ms. Default 60 000. */
  metricsInterval?: number;
  /** This process's id in Unleash's Applications view. Default `<user>-<hostname>` (unleash-client's). */
  instanceId?: string;
  /** Per-request timeout in ms, at least 1000. Default 10 000. */
  timeout?: number;
  /**
   * Receive changes over Unleash's streaming endpoint (Unleash Enterprise, Edge) instead of polling. Default
   * false: flagwise polls, and ignores a `fetch-mode: streaming` answer from the server.
   */
  streaming?: boolean;
  /** Passed to unleash-client: `{ rejectUnauthorized?, agent? }` for TLS or proxy set-ups. */
  httpOptions?: UnleashConfig['httpOptions'];
}

/**
 * Flags from an Unleash server (or Unleash Edge): unleash-client polls with ETags, backs off, registers and
 * sends usage metrics; flagwise evaluates every flag in-process, including segments, strategy variants and
 * dependencies.
 * @example
 * const flags = createFlags({
 *   source: unleashSource({ url: 'https://unleash.example.com/api', apiToken: process.env.UNLEASH_API_TOKEN!, appName: 'shop' }),
 * });
 */
export function unleashSource(options: UnleashSourceOptions): UnleashFlagSource {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      "unleashSource(options): pass { url, apiToken, appName }, e.g. unleashSource({ url: 'https://unleash.example.com/api', apiToken, appName: 'shop' })",
    );
  }
  const url = parseServerUrl(options.url, 'unleashSource({ url })', "'https://unleash.example.com/api'");
  const apiToken = requireString(
    options.apiToken,
    'unleashSource({ apiToken })',
    "a backend token from Unleash's Admin > API access such as 'default:production.<secret>'",
  );
  const appName = requireString(options.appName, 'unleashSource({ appName })', "'shop'");
  const refreshInterval = positiveMs(options.refreshInterval, 'unleashSource({ refreshInterval })', 15_000);
  const metricsInterval = positiveMs(options.metricsInterval, 'unleashSource({ metricsInterval })', 60_000);
  const timeout = requestTimeoutMs(options.timeout, 'unleashSource({ timeout })');
  // API tokens are opaque (Unleash 8 issues `…v2_<selector>_<secret>`): the backup is keyed by a hash of the
  // whole token, so the flags one token was served are never read back for another.
  const backupFile = resolveBackupFile(
    options.backupPath,
    appName,
    {
      url: displayUrl(url),
      environment: options.environment,
      project: `${options.projectName ?? ''}/${options.namePrefix ?? ''}`,
      credential: apiToken,
    },
    'unleashSource({ backupPath })',
  );
  const name = `unleash(${displayUrl(url)})`;

  const startWarnings: string[] = [];
  if (!/\/api$/.test(url.pathname)) {
    startWarnings.push(
      `${name}: the URL usually ends in /api (Unleash and Edge serve the client API under it), e.g. ${url.origin}/api`,
    );
  }

  return new UnleashClientSource({
    name,
    backupFile,
    metrics: options.metrics !== false,
    streaming: options.streaming === true,
    startWarnings,
    expectedEnvironment: options.environment,
    unleashConfig: {
      url: url.href,
      appName,
      environment: options.environment,
      instanceId: options.instanceId,
      refreshInterval,
      metricsInterval,
      timeout,
      projectName: options.projectName,
      namePrefix: options.namePrefix,
      tags: options.tags,
      httpOptions: options.httpOptions,
      // The SDK never sets Authorization itself; custom headers are where the token goes.
      customHeaders: { ...withoutAuthorization(options.customHeaders), Authorization: apiToken },
    },
    describeRefusal: (status) =>
      status === 403
        ? `${name} answered 403 to the API token ${redactSecret(apiToken)}: it is not a backend (client) token; ` +
          'create one under Admin > API access and pass it as apiToken (UNLEASH_API_TOKEN). Polling has stopped'
        : `${name} answered 401 to the API token ${redactSecret(apiToken)}: the server does not know it; ` +
          'check apiToken (UNLEASH_API_TOKEN) against Admin > API access for this environment. Polling has stopped',
  });
}

/** The token option wins over an Authorization custom header in any letter case. */
function withoutAuthorization(headers: Record<string, string> | undefined): Record<string, string> {
  const rest: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== 'authorization') rest[key] = value;
  }
  return rest;
}
