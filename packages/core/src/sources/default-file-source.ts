// createFlags() without a source: the flags file in the working directory.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlagsFileError } from '../errors.js';
import type { FlagSource } from '../types.js';
import { type FileSourceOptions, fileSource } from './file-source.js';

/**
 * The names defaultFileSource() looks for, in order.
 * @example
 * DEFAULT_FLAGS_FILES.includes('flags.yaml'); // true
 */
export const DEFAULT_FLAGS_FILES = ['flags.yaml', 'flags.yml', 'flags.json'] as const;

/**
 * A fileSource for the first of flags.yaml, flags.yml or flags.json in `cwd`.
 * Throws a FlagsFileError (`FLAGS_FILE_NOT_FOUND`) that lists where it looked when none exists.
 * @example
 * const source = defaultFileSource(); // ./flags.yaml, ./flags.yml or ./flags.json
 */
export function defaultFileSource(cwd: string = process.cwd(), options: FileSourceOptions = {}): FlagSource {
  const directory = resolve(cwd);
  const candidates = DEFAULT_FLAGS_FILES.map((name) => join(directory, name));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return fileSource(found, options);
  throw new FlagsFileError(
    'FLAGS_FILE_NOT_FOUND',
    directory,
    `no flags file found; looked for ${candidates.join(', ')}. ` +
      'Create flags.yaml in the working directory, e.g. "flags:\\n  dark-mode: true", ' +
      "or pass a source: createFlags({ source: fileSource('config/flags.yaml') }) (or inlineSource, unleashSource)",
  );
}
