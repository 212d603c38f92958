// Option checks shared by unleashSource and gitlabSource: misconfiguration fails at construction with a
// message that says how to fix it.
import { ConfigurationError } from '@flagwise/core';
import { type BackupScope, backupFilePath, DEFAULT_BACKUP_DIRECTORY } from './backup-file.js';
import { redactUrls } from './redact.js';

export function requireString(value: unknown, what: string, example: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`${what} is required, e.g. ${example}`);
  }
  return value.trim();
}

export function parseServerUrl(value: unknown, what: string, example: string): URL {
  const text = requireString(value, what, example);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(
      `${what} must be an absolute http(s) URL, e.g. ${example} (got "${redactUrls(text)}")`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(
      `${what} must be an http(s) URL, e.g. ${example} (got "${redactUrls(text)}")`,
    );
  }
  if (url.search !== '') {
    // unleash-client appends client/features to the path: a query would cut /api off and be dropped.
    throw new ConfigurationError(
      `${what} must not carry a query (got "${redactUrls(text)}"): pass credentials as the token option or ` +
        `in customHeaders, e.g. ${example}`,
    );
  }
  // People paste the features endpoint itself; the SDK appends client/features to the base.
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/client\/features$|\/features$|\/client$/, '');
  url.hash = '';
  return url;
}

/** The URL without credentials, query or fragment, safe for messages. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export function positiveMs(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(
      `${what} must be a positive number of milliseconds, e.g. 15000 (got ${String(value)})`,
    );
  }
  return Math.round(value);
}

/**
 * The backup file for `backupPath`: a directory, `false` for none, or undefined for `.flagwise/` in the working
 * directory. Never the OS temp directory, which other apps on the host share.
 */
export function resolveBackupFile(
  backupPath: unknown,
  appName: string,
  scope: BackupScope,
  what: string,
): string | undefined {
  if (backupPath === false) return undefined;
  if (backupPath === undefined) return backupFilePath(DEFAULT_BACKUP_DIRECTORY, appName, scope);
  if (typeof backupPath !== 'string' || backupPath.trim() === '') {
    throw new ConfigurationError(`${what} must be a directory path or false, e.g. backupPath: './.flagwise'`);
  }
  return backupFilePath(backupPath, appName, scope);
}

/**
 * A request timeout unleash-client can use: it retries a failed fetch after at least 1 s and rejects a retry
 * window shorter than that, which would otherwise surface as a failed start blaming the URL.
 */
export function requestTimeoutMs(value: unknown, what: string): number {
  const timeout = positiveMs(value, what, 10_000);
  if (timeout < MIN_TIMEOUT_MS) {
    throw new ConfigurationError(
      `${what} must be at least ${MIN_TIMEOUT_MS} ms (unleash-client retries a failed request after 1 s, ` +
        `so a shorter timeout never loads), e.g. timeout: 2000; got ${String(value)}`,
    );
  }
  return timeout;
}

const MIN_TIMEOUT_MS = 1000;
