// Where every command gets its definitions: a flags file (--flags, or flags.yaml/.yml/.json in the working
// directory), or a running Unleash or GitLab through the same environment variables as sourceFromEnv().
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  type ClientFeaturesPayload,
  ConfigurationError,
  DEFAULT_FLAGS_FILES,
  type FlagsDocumentFormat,
  FlagsFileError,
  parseFlagsFile,
  silentLogger,
} from '@flagwise/core';
import type { Command } from 'commander';
import { UsageError, wholeNumberOption } from './usage-error.js';

/** Definitions and where they came from. */
export interface LoadedFlags {
  definitions: ClientFeaturesPayload;
  /** the file as the user wrote it (relative to the working directory), or the source's name */
  origin: string;
  /** the flags file, when the definitions came from one */
  file?: { path: string; text: string; format: FlagsDocumentFormat };
}

/** The options `addFlagsOptions` declares. */
export interface DefinitionsOptions {
  flags?: string;
  timeout?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Declares `--flags <file>` and `--timeout <ms>` on a command that reads definitions.
 * @example
 * addFlagsOptions(program.command('explain <flag>'));
 */
export function addFlagsOptions(command: Command): Command {
  return command
    .option(
      '-f, --flags <file>',
      'flags file (default: flags.yaml, .yml or .json here, or Unleash by UNLEASH_URL)',
    )
    .option('--timeout <ms>', 'how long to wait for Unleash or GitLab', String(DEFAULT_TIMEOUT_MS));
}

/**
 * The definitions for a command: `--flags`, else Unleash/GitLab when UNLEASH_URL is set, else the flags file here.
 * @throws UsageError saying what to fix when none can be read.
 * @example
 * const { definitions, origin } = await loadFlags({ flags: 'flags.yaml' });
 */
export async function loadFlags(
  options: DefinitionsOptions,
  cwd: string = process.cwd(),
): Promise<LoadedFlags> {
  if (options.flags !== undefined) return readFlagsFile(options.flags, cwd);
  if (process.env.UNLEASH_URL?.trim())
    return loadFromUnleash(parseTimeout(options.timeout) ?? DEFAULT_TIMEOUT_MS);
  return readFlagsFile(defaultFlagsFile(cwd), cwd);
}

/** The first of flags.yaml, flags.yml, flags.json in `cwd`. */
export function defaultFlagsFile(cwd: string): string {
  const found = DEFAULT_FLAGS_FILES.map((name) => join(cwd, name)).find((path) => existsSync(path));
  if (found === undefined) {
    throw new UsageError(
      `no flags file in ${cwd} (looked for ${DEFAULT_FLAGS_FILES.join(', ')}): pass one with --flags <file>, ` +
        'or set UNLEASH_URL (with UNLEASH_API_TOKEN, or UNLEASH_INSTANCE_ID for GitLab)',
    );
  }
  return relative(cwd, found);
}

/**
 * A file's text, or a UsageError that names the file and says why it cannot be read.
 * @example
 * readText('flags.yaml', process.cwd());
 */
export function readText(path: string, cwd: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file; check the path'
        : code === 'EISDIR'
          ? 'it is a directory; name a file in it'
          : code === 'EACCES'
            ? 'permission denied; check the file permissions'
            : (error as Error).message;
    throw new UsageError(`cannot read ${path}: ${why}`, { cause: error });
  }
}

function readFlagsFile(path: string, cwd: string): LoadedFlags {
  const text = readText(path, cwd);
  try {
    const parsed = parseFlagsFile(text, path);
    return { definitions: parsed.definitions, origin: path, file: { path, text, format: parsed.format } };
  } catch (error) {
    if (error instanceof FlagsFileError) {
      const first = error.message.split('\n')[0];
      const more = error.problems.length > 1 ? ` (and ${error.problems.length - 1} more)` : '';
      throw new UsageError(`${first}${more}; run \`flagwise validate ${path}\` to list every problem`, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * The milliseconds of a `--timeout` value, or undefined when none was given.
 * @throws UsageError when it is not a whole positive number.
 * @example
 * parseTimeout('500'); // 500
 */
export function parseTimeout(text: string | undefined): number | undefined {
  return wholeNumberOption(text, '--timeout', 'milliseconds');
}

async function loadFromUnleash(timeoutMs: number): Promise<LoadedFlags> {
  const { sourceFromEnv } = await import('@flagwise/unleash');
  let source: ReturnType<typeof sourceFromEnv>;
  try {
    source = sourceFromEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  try {
    await Promise.race([
      source.start({ logger: silentLogger }),
      // a command line does not wait for retries: the first failed fetch is the answer
      new Promise((_, reject) => {
        unsubscribe = source.subscribe((event) => {
          if (event.type === 'error') reject(event.error);
          else if (event.type === 'status' && event.status === 'failed')
            reject(new Error(event.reason ?? 'failed'));
        });
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${timeoutMs} ms (raise it with --timeout)`)),
          timeoutMs,
        );
      }),
    ]);
    const definitions = source.current();
    if (definitions === undefined) throw new Error('it sent no definitions');
    return { definitions, origin: source.name };
  } catch (error) {
    throw new UsageError(
      `cannot load flags from ${source.name}: ${oneLine(error)}; check UNLEASH_URL and its token, ` +
        'or read a local file with --flags <file>',
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    unsubscribe();
    // not awaited: stopping flushes usage metrics, which a one-shot command has none of worth waiting for
    void source.stop().catch(() => {});
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
