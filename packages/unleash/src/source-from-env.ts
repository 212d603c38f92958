import { ConfigurationError, defaultFileSource, type FlagSource, FlagwiseError } from '@flagwise/core';
import { gitlabSource } from './gitlab-source.js';
import { redactUrls } from './redact.js';
import { unleashSource } from './unleash-source.js';

/**
 * Options of `sourceFromEnv()`.
 * @example
 * sourceFromEnv(process.env, { cwd: '/srv/shop', backupPath: '/var/lib/shop' })
 */
export interface SourceFromEnvOptions {
  /** Where the local flags file is looked up when `UNLEASH_URL` is not set. Default `process.cwd()`. */
  cwd?: string;
  /** Directory for the backup file, or false for none. Default `.flagwise` in the working directory. */
  backupPath?: string | false;
}

type Env = Record<string, string | undefined>;

/**
 * Picks the source from the environment, the way GitLab's and Unleash's tutorials set it up:
 * - `UNLEASH_URL` + `UNLEASH_INSTANCE_ID` → GitLab (`UNLEASH_APP_NAME` is the GitLab environment);
 * - `UNLEASH_URL` + `UNLEASH_API_TOKEN` → Unleash (`UNLEASH_APP_NAME` is the app's name);
 * - no `UNLEASH_URL` → the local flags file (flags.yaml in the working directory).
 *
 * `UNLEASH_APP_NAME` defaults to `production`. A missing variable throws a ConfigurationError whose
 * one-line message names it and how to set it, with a stack that starts at the call of `sourceFromEnv()`.
 * @example
 * const flags = createFlags({ source: sourceFromEnv() });
 */
export function sourceFromEnv(env: Env = process.env, options: SourceFromEnvOptions = {}): FlagSource {
  try {
    return pickSource(env, options);
  } catch (error) {
    // The trace of a misconfiguration starts at the app's own call: nothing below it is the app's to fix, and
    // the published package does not ship the sources its frames would name.
    if (error instanceof ConfigurationError) Error.captureStackTrace(error, sourceFromEnv);
    throw error;
  }
}

function pickSource(env: Env, options: SourceFromEnvOptions): FlagSource {
  const url = value(env, 'UNLEASH_URL');
  if (url === undefined) return localFileSource(options.cwd ?? process.cwd());

  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    throw new ConfigurationError(
      `UNLEASH_URL is not an http(s) URL ("${redactUrls(url)}"): set it to the API URL, ` +
        'e.g. UNLEASH_URL=https://unleash.example.com/api (Unleash) or ' +
        'UNLEASH_URL=https://gitlab.example.com/api/v4/feature_flags/unleash/42 (GitLab)',
    );
  }
  const appName = value(env, 'UNLEASH_APP_NAME') ?? 'production';
  const instanceId = value(env, 'UNLEASH_INSTANCE_ID');
  const apiToken = value(env, 'UNLEASH_API_TOKEN');
  const looksLikeGitlab = /\/feature_flags\/unleash\//.test(url);

  if (looksLikeGitlab || (instanceId !== undefined && apiToken === undefined)) {
    if (instanceId === undefined) {
      throw new ConfigurationError(
        'UNLEASH_INSTANCE_ID is not set: GitLab needs the "Instance ID" from Deploy > Feature flags > Configure, ' +
          'e.g. UNLEASH_INSTANCE_ID=glffct-xxxxxxxxxxxxxxxxxxxx',
      );
    }
    return gitlabSource({ url, instanceId, environment: appName, backupPath: options.backupPath });
  }
  if (apiToken === undefined) {
    throw new ConfigurationError(
      'UNLEASH_API_TOKEN is not set: set it to a backend token from Unleash (Admin > API access), ' +
        'e.g. UNLEASH_API_TOKEN=default:production.<secret>; for GitLab set UNLEASH_INSTANCE_ID instead; ' +
        'or unset UNLEASH_URL to use the local flags file',
    );
  }
  return unleashSource({ url, apiToken, appName, backupPath: options.backupPath });
}

function localFileSource(cwd: string): FlagSource {
  try {
    return defaultFileSource(cwd);
  } catch (error) {
    if (error instanceof FlagwiseError && error.code === 'FLAGS_FILE_NOT_FOUND') {
      throw new ConfigurationError(
        `UNLEASH_URL is not set and ${cwd} has no flags file: create flags.yaml there (e.g. "dark-mode: true" under ` +
          '"flags:"), or set UNLEASH_URL with UNLEASH_API_TOKEN (Unleash) or UNLEASH_INSTANCE_ID (GitLab)',
      );
    }
    throw error;
  }
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}
