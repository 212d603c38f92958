// What `flagwise diff` and `flagwise push` read before they talk to Unleash: the flags file and its text, the
// Unleash scope, the output format and the admin client from the environment.
import { adminClientFromEnv, type DiffFormat } from '@flagwise/unleash/admin';
import { defaultFlagsFile, readText } from '../definitions.js';
import { FlagsFileLocator } from '../locate.js';
import { problemFormat } from '../problems.js';

/** The options diff and push share. */
export interface SyncOptions {
  project: string;
  env: string;
  prefix?: string;
  format: string;
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
    admin: adminClientFromEnv(process.env),
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
