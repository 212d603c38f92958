// flagwise diff [file]: what `flagwise push` would change in Unleash, flag by flag and field by field.
import {
  adminClientFromEnv,
  type DiffFormat,
  diffFlagsFile,
  formatDiff,
  hasChanges,
} from '@flagwise/unleash/admin';
import type { CliCommand } from '../command.js';
import { defaultFlagsFile, readText } from '../definitions.js';
import { FlagsFileLocator } from '../locate.js';
import { problemFormat } from '../problems.js';
import { EXIT } from '../usage-error.js';

interface DiffOptions {
  project: string;
  env: string;
  prefix?: string;
  prune?: boolean;
  format: string;
  exitCode?: boolean;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  register(program, run) {
    program
      .command('diff')
      .description(
        'what push would change in Unleash, flag by flag and field by field (UNLEASH_URL, UNLEASH_ADMIN_TOKEN)',
      )
      .argument('[file]', 'the flags file (default: flags.yaml, .yml or .json here)')
      .requiredOption('--project <id>', 'the Unleash project, e.g. default')
      .requiredOption('--env <name>', 'the Unleash environment, e.g. production')
      .option('--prefix <text>', 'only the flags whose names start with this')
      .option('--prune', 'also list the flags push --prune would archive')
      .option('--format <format>', 'text, json or github (pull request annotations)', 'text')
      .option('--exit-code', 'exit 1 when there are differences (for CI)')
      .action(
        run(async (file: string | undefined, options: DiffOptions) => {
          const format = problemFormat(options.format) as DiffFormat;
          const cwd = process.cwd();
          const path = file ?? defaultFlagsFile(cwd);
          const text = readText(path, cwd);
          const scope = { project: options.project, environment: options.env, prefix: options.prefix };
          const diff = await diffFlagsFile(adminClientFromEnv(process.env), scope, text, path, {
            prune: options.prune,
          });
          process.stdout.write(formatDiff(diff, format, { file: path, lineOf: lineIn(text) }));
          const differs = hasChanges(diff) || diff.problems.length > 0;
          return options.exitCode && differs ? EXIT.problems : EXIT.ok;
        }),
      );
  },
};

/** Where a flag or segment is written in the file, for GitHub annotations on its line. */
export function lineIn(text: string): (kind: 'flag' | 'segment', name: string) => number | undefined {
  let locator: FlagsFileLocator | undefined;
  return (kind, name) => {
    locator ??= new FlagsFileLocator(text);
    return (kind === 'flag' ? locator.flag(name) : locator.segment(name))?.line;
  };
}
