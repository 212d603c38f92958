// Flags file ⇄ Unleash in one call each: what `flagwise pull`, `diff` and `push` run.
import { ConfigurationError, type FlagsFileSpec, parseFlagsFile } from '@flagwise/core';
import { parse } from 'yaml';
import { UnleashAdminClient } from './admin-client.js';
import { diffStates, type SyncDiff } from './diff.js';
import { type SyncState, stateFromDefinitions } from './flag-state.js';
import { type PushOptions, type PushReport, pushState } from './push.js';
import { readRemoteState, type SyncScope } from './read-remote.js';
import { stringifyFlagsFile, toFlagsFile } from './to-flags-file.js';

type Env = Record<string, string | undefined>;

/**
 * The admin client from `UNLEASH_URL` and `UNLEASH_ADMIN_TOKEN` (an admin API token or a personal access token).
 * @param options.timeoutMs how long each request may take (default 15 000 ms)
 * @throws UnleashAdminError with a message naming the missing variable
 * @example
 * const client = adminClientFromEnv(process.env, { timeoutMs: 5000 });
 */
export function adminClientFromEnv(
  env: Env = process.env,
  options: { timeoutMs?: number } = {},
): UnleashAdminClient {
  const url = env.UNLEASH_URL?.trim();
  if (!url) {
    throw new ConfigurationError(
      'UNLEASH_URL is not set: set it to your Unleash server, e.g. UNLEASH_URL=https://unleash.example.com',
    );
  }
  return new UnleashAdminClient({
    url,
    token: env.UNLEASH_ADMIN_TOKEN?.trim() ?? '',
    timeoutMs: options.timeoutMs,
  });
}

/**
 * A flags file's text → the state push aims for, checked against the scope's prefix.
 * @example
 * const desired = desiredState(readFileSync('flags.yaml', 'utf8'), 'flags.yaml', { project: 'default', environment: 'production' });
 */
export function desiredState(text: string, path: string, scope: SyncScope): SyncState {
  const state = stateFromDefinitions(
    parseFlagsFile(text, path, { environment: scope.environment }).definitions,
  );
  if (scope.prefix !== undefined) {
    const outside = state.flags
      .filter((flag) => !flag.name.startsWith(scope.prefix!))
      .map((flag) => flag.name);
    if (outside.length > 0) {
      throw new ConfigurationError(
        `${path}: ${outside.join(', ')} do not start with the prefix "${scope.prefix}"; rename them or drop --prefix`,
      );
    }
  }
  return state;
}

/**
 * Options of pullFlagsFile().
 * @example
 * const options: PullOptions = { path: 'flags.yaml', existing: readFileSync('flags.yaml', 'utf8') };
 */
export interface PullOptions {
  /** where the file goes; `.json` writes JSON, anything else YAML */
  path: string;
  /** the text of the file being replaced, whose local-only keys (`browser`) are kept */
  existing?: string;
}

/**
 * Reads the project and environment from Unleash and renders it as a flags file.
 * @example
 * const { text } = await pullFlagsFile(client, { project: 'default', environment: 'production' }, { path: 'flags.yaml' });
 */
export async function pullFlagsFile(
  client: UnleashAdminClient,
  scope: SyncScope,
  options: PullOptions,
): Promise<{ text: string; file: FlagsFileSpec; warnings: string[]; unleashShaped: string[] }> {
  const remote = await readRemoteState(client, scope);
  let existing: FlagsFileSpec | undefined;
  if (options.existing !== undefined) {
    try {
      existing = parse(options.existing) as FlagsFileSpec;
    } catch {
      existing = undefined;
    }
  }
  const pulled = toFlagsFile(remote, existing);
  const header =
    `Pulled from Unleash (${client.url}, project ${scope.project}, environment ${scope.environment}) by flagwise pull.\n` +
    'Edit it and run flagwise diff / flagwise push --apply to send changes back.';
  return { text: stringifyFlagsFile(pulled.file, options.path, header), ...pulled };
}

/**
 * What push would change, flag by flag and field by field.
 * @example
 * const diff = await diffFlagsFile(client, scope, readFileSync('flags.yaml', 'utf8'), 'flags.yaml');
 */
export async function diffFlagsFile(
  client: UnleashAdminClient,
  scope: SyncScope,
  text: string,
  path: string,
  options: { prune?: boolean } = {},
): Promise<SyncDiff> {
  const desired = desiredState(text, path, scope);
  return diffStates(desired, await readRemoteState(client, scope), options);
}

/**
 * Pushes a flags file: a dry run (the diff) unless `apply`; see pushState() for the safety rules.
 * @example
 * const report = await pushFlagsFile(client, scope, readFileSync('flags.yaml', 'utf8'), 'flags.yaml', { apply: true });
 */
export async function pushFlagsFile(
  client: UnleashAdminClient,
  scope: SyncScope,
  text: string,
  path: string,
  options: PushOptions = {},
): Promise<PushReport> {
  return pushState(client, scope, desiredState(text, path, scope), options);
}
