// flagwise diff [file]: what `flagwise push` would change in Unleash, flag by flag and field by field.
import { diffFlagsFile, hasChanges } from '@flagwise/unleash/admin';
import type { CliCommand } from '../command.js';
import { EXIT } from '../usage-error.js';
import { ADMIN_TIMEOUT_OPTION, type SyncOptions, syncInput } from './sync-input.js';
import { diffOutput } from './sync-output.js';

interface DiffOptions extends SyncOptions {
  prune?: boolean;
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
      .option(...ADMIN_TIMEOUT_OPTION)
      .action(
        run(async (file: string | undefined, options: DiffOptions) => {
          const { admin, scope, text, path, format, lineOf } = syncInput(file, options);
          const diff = await diffFlagsFile(admin, scope, text, path, {
            prune: options.prune,
          });
          process.stdout.write(diffOutput(diff, format, { file: path, lineOf }));
          const differs = hasChanges(diff) || diff.problems.length > 0;
          return options.exitCode && differs ? EXIT.problems : EXIT.ok;
        }),
      );
  },
};
