import { type ClientFeaturesPayload, ConfigurationError } from '@flagwise/core';
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
 * Options of `gitlabSource()`; `url` and `instanceId` come from the project's Deploy > Feature flags > Configure.
 * @example
 * const options: GitlabSourceOptions = { url: 'https://gitlab.example.com/api/v4/feature_flags/unleash/42', instanceId, environment: 'staging' };
 */
export interface GitlabSourceOptions {
  /**
   * The "API URL" from the project's Deploy > Feature flags > Configure,
   * e.g. `https://gitlab.example.com/api/v4/feature_flags/unleash/42` (42 is the numeric project id).
   */
  url: string;
  /** The "Instance ID" from the same dialog; sent as `UNLEASH-INSTANCEID`. */
  instanceId: string;
  /**
   * The GitLab environment whose strategies apply (GitLab reads it from the app name), e.g. `production`,
   * `staging` or `review/my-branch`. Default `production`.
   */
  environment?: string;
  /** How often to poll, in ms. Default 15 000. GitLab.com allows 500 requests a minute per IP. */
  refreshInterval?: number;
  /** Directory for the backup file; default `.flagwise` in the working directory; `false` for none. */
  backupPath?: string | false;
  /** Register and send usage metrics. Default false: GitLab accepts and discards them. */
  metrics?: boolean;
  /** Per-request timeout in ms, at least 1000. Default 10 000. */
  timeout?: number;
  /** Extra headers on every request. Do not add Authorization: GitLab authenticates by instance id. */
  customHeaders?: Record<string, string>;
  /** Passed to unleash-client: `{ rejectUnauthorized?, agent? }` for TLS or proxy set-ups. */
  httpOptions?: UnleashConfig['httpOptions'];
}

const GITLAB_PATH = /\/api\/v4\/feature_flags\/unleash\/([^/]+)$/;

/**
 * Flags from GitLab's Unleash-compatible feature-flag API. GitLab picks the strategies for `environment`;
 * flagwise evaluates them in-process. Registration and usage metrics are off (GitLab discards them).
 * @example
 * const flags = createFlags({
 *   source: gitlabSource({
 *     url: 'https://gitlab.example.com/api/v4/feature_flags/unleash/42',
 *     instanceId: process.env.UNLEASH_INSTANCE_ID!,
 *     environment: 'production',
 *   }),
 * });
 */
export function gitlabSource(options: GitlabSourceOptions): UnleashFlagSource {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      "gitlabSource(options): pass { url, instanceId, environment } from your project's Deploy > Feature flags > Configure",
    );
  }
  const example = "'https://gitlab.example.com/api/v4/feature_flags/unleash/42'";
  const url = parseServerUrl(options.url, 'gitlabSource({ url })', example);
  const project = GITLAB_PATH.exec(url.pathname)?.[1];
  if (project === undefined) {
    throw new ConfigurationError(
      `gitlabSource({ url }) must be the "API URL" from Deploy > Feature flags > Configure, ending in ` +
        `/api/v4/feature_flags/unleash/<project id>, e.g. ${example} (got "${displayUrl(url)}")`,
    );
  }
  if (!/^\d+$/.test(project)) {
    throw new ConfigurationError(
      `gitlabSource({ url }): GitLab needs the numeric project id after /feature_flags/unleash/, not "${decodeURIComponent(project)}"; ` +
        'copy the API URL from Deploy > Feature flags > Configure',
    );
  }
  const instanceId = requireString(
    options.instanceId,
    'gitlabSource({ instanceId })',
    'the "Instance ID" from Deploy > Feature flags > Configure',
  );
  const environment =
    options.environment === undefined
      ? 'production'
      : requireString(options.environment, 'gitlabSource({ environment })', "'production'");
  const refreshInterval = positiveMs(options.refreshInterval, 'gitlabSource({ refreshInterval })', 15_000);
  const timeout = requestTimeoutMs(options.timeout, 'gitlabSource({ timeout })');
  // the URL names the project; the app name is the environment
  const backupFile = resolveBackupFile(
    options.backupPath,
    environment,
    { url: displayUrl(url), environment },
    'gitlabSource({ backupPath })',
  );
  const name = `gitlab(${displayUrl(url)})`;
  const startWarnings: string[] = [];
  if (
    options.customHeaders &&
    Object.keys(options.customHeaders).some((key) => key.toLowerCase() === 'authorization')
  ) {
    startWarnings.push(`${name}: GitLab authenticates by instance id; drop the Authorization header`);
  }

  return new UnleashClientSource({
    name,
    backupFile,
    metrics: options.metrics === true,
    // GitLab never streams
    streaming: false,
    startWarnings,
    unleashConfig: {
      url: url.href,
      // GitLab reads the environment from the app name (UNLEASH-APPNAME) and the credential from the instance id.
      appName: environment,
      instanceId,
      refreshInterval,
      timeout,
      customHeaders: options.customHeaders,
      httpOptions: options.httpOptions,
    },
    normalize: normalizeGitlabPayload,
    emptyPayloadHint:
      `${name} returned no flags for environment "${environment}": GitLab only serves flags with a strategy ` +
      `scoped to this environment (or *); check environment (UNLEASH_APP_NAME) against the flags' environment scopes`,
    describeRefusal: (status) =>
      `${name} answered ${status} to the instance id ${redactSecret(instanceId)}: check instanceId (UNLEASH_INSTANCE_ID) ` +
      'against the "Instance ID" in Deploy > Feature flags > Configure of this project (the URL must name the same ' +
      'numeric project id). Polling has stopped',
  });
}

/**
 * GitLab rewrites its "User List" strategy (`gitlabUserList`) to `userWithId` before sending it; older or
 * unusual servers might not. Treat both alike, so no flag silently evaluates to off.
 */
export function normalizeGitlabPayload(payload: ClientFeaturesPayload): ClientFeaturesPayload {
  const needsRewrite = payload.features.some((feature) =>
    feature.strategies?.some((strategy) => strategy.name === 'gitlabUserList'),
  );
  if (!needsRewrite) return payload;
  return {
    ...payload,
    features: payload.features.map((feature) => ({
      ...feature,
      strategies: feature.strategies?.map((strategy) =>
        strategy.name === 'gitlabUserList'
          ? {
              ...strategy,
              name: 'userWithId',
              parameters: { userIds: String(strategy.parameters?.userIds ?? '') },
            }
          : strategy,
      ),
    })),
  };
}
