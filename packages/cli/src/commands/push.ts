// flagwise push [file]: a dry run that prints the diff, or with --apply writes the flags file to Unleash.
import { pushFlagsFile } from '@flagwise/unleash/admin';
import type { CliCommand } from '../command.js';
import { EXIT } from '../usage-error.js';
import { ADMIN_TIMEOUT_OPTION, type SyncOptions, syncInput } from './sync-input.js';
import { diffOutput, pushReportOutput } from './sync-output.js';

interface PushOptions extends SyncOptions {
  apply?: boolean;
  prune?: boolean;
  force?: boolean;
}

export const pushCommand: CliCommand = {
  name: 'push',
  register(program, run) {
    program
      .command('push')
      .description(
        'write the flags file to Unleash: a dry run unless --apply (UNLEASH_URL, UNLEASH_ADMIN_TOKEN)',
      )
      .argument('[file]', 'the flags file (default: flags.yaml, .yml or .json here)')
      .requiredOption('--project <id>', 'the Unleash project, e.g. default')
      .requiredOption('--env <name>', 'the Unleash environment, e.g. production')
      .option('--prefix <text>', 'only the flags whose names start with this')
      .option('--apply', 'write; without it push only prints what it would change')
      .option('--prune', 'archive the flags that are not in the file')
      .option('--force', 'write even over flags changed in Unleash since the diff')
      .option('--format <format>', 'how the diff is printed: text, json or github', 'text')
      .option(...ADMIN_TIMEOUT_OPTION)
      .action(
        run(async (file: string | undefined, options: PushOptions) => {
          const { admin, scope, text, path, format, lineOf } = syncInput(file, options);
          const report = await pushFlagsFile(admin, scope, text, path, {
            apply: options.apply,
            prune: options.prune,
            force: options.force,
          });
          process.stdout.write(diffOutput(report.diff, format, { file: path, lineOf }));
          if (!options.apply) {
            process.stdout.write('Dry run: nothing was written; add --apply to write.\n');
            return EXIT.ok;
          }
          const summary = pushReportOutput(report);
          if (report.failed) {
            process.stderr.write(summary);
            return EXIT.problems;
          }
          process.stdout.write(summary);
          return EXIT.ok;
        }),
      );
  },
};
