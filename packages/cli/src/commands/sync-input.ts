// What `flagwise pull`, `diff` and `push` read before they talk to Unleash: the admin client from the environment
// and --timeout; for diff and push the flags file and its text, the Unleash scope and the output format.
import { adminClientFromEnv, type DiffFormat, type UnleashAdminClient } from '@flagwise/unleash/admin';
import { defaultFlagsFile, parseTimeout, readText } from '../definitions.js';
import { FlagsFileLocator } from '../locate.js';
import { problemFormat } from '../problems.js';

/** The options diff and push share. */
export interface SyncOptions {
  project: string;
  env: string;
  prefix?: string;
  format: string;
  timeout?: string;
}

/**
 * `--timeout <ms>` of the commands that talk to Unleash's admin API.
 * @example
 * program.command('pull').option(...ADMIN_TIMEOUT_OPTION);
 */
export const ADMIN_TIMEOUT_OPTION = [
  '--timeout <ms>',
  'how long to wait for each answer of Unleash (default 15000)',
] as const;

/**
 * The admin client from UNLEASH_URL and UNLEASH_ADMIN_TOKEN, each request bounded by `--timeout`.
 * @example
 * const admin = adminClient(options.timeout);
 */
export function adminClient(timeout: string | undefined): UnleashAdminClient {
  return adminClientFromEnv(process.env, { timeoutMs: parseTimeout(timeout) });
}

/**
 * The file (default: the flags file in the working directory), its text, the scope and format, the admin
 * client, and where each flag is written, for annotations on its line.
 * @example const { admin, scope, text, path } = syncInput(file, options);
 */
export function syncInput(file: string | undefined, options: SyncOptions) {
  const cwd = process.cwd();
  const path = file ?? defaultFlagsFile(cwd);
  const text = readText(path, cwd);
  return {
    format: problemFormat(options.format) as DiffFormat,
    path,
    text,
    scope: { project: options.project, environment: options.env, prefix: options.prefix },
    admin: adminClient(options.timeout),
    lineOf: lineIn(text),
  };
}

/** Where a flag or segment is written in the file, for GitHub annotations on its line. */
function lineIn(text: string): (kind: 'flag' | 'segment', name: string) => number | undefined {
  let locator: FlagsFileLocator | undefined;
  return (kind, name) => {
    locator ??= new FlagsFileLocator(text);
    return (kind === 'flag' ? locator.flag(name) : locator.segment(name))?.line;
  };
}
