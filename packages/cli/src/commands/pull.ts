// flagwise pull: the flags of an Unleash project and environment, written as a flags file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pullFlagsFile } from '@flagwise/unleash/admin';
import type { CliCommand } from '../command.js';
import { counted } from '../counted.js';
import { print } from '../output.js';
import { escapeRawControls, MAX_MESSAGE_LENGTH, shownText } from '../terminal-text.js';
import { EXIT } from '../usage-error.js';
import { ADMIN_TIMEOUT_OPTION, adminClient } from './sync-input.js';

interface PullOptions {
  project: string;
  env: string;
  prefix?: string;
  out: string;
  timeout?: string;
}

export const pullCommand: CliCommand = {
  name: 'pull',
  register(program, run) {
    program
      .command('pull')
      .description(
        'write the flags of an Unleash project and environment to a flags file (UNLEASH_URL, UNLEASH_ADMIN_TOKEN)',
      )
      .requiredOption('--project <id>', 'the Unleash project, e.g. default')
      .requiredOption('--env <name>', 'the Unleash environment, e.g. production')
      .option('--prefix <text>', 'only the flags whose names start with this')
      .option('-o, --out <file>', 'where to write it (.json for JSON; - prints it)', 'flags.yaml')
      .option(...ADMIN_TIMEOUT_OPTION)
      .action(
        run(async (options: PullOptions) => {
          const path = resolve(options.out === '-' ? 'flags.yaml' : options.out);
          const scope = { project: options.project, environment: options.env, prefix: options.prefix };
          const existing = options.out !== '-' && existsSync(path) ? readFileSync(path, 'utf8') : undefined;
          const pulled = await pullFlagsFile(adminClient(options.timeout), scope, { path, existing });
          for (const warning of pulled.warnings) {
            process.stderr.write(`flagwise: warning: ${shownText(warning, MAX_MESSAGE_LENGTH)}\n`);
          }
          // the file itself, exact: its writer escapes control characters but DEL and C1, escaped here
          const text = escapeRawControls(pulled.text);
          if (options.out === '-') {
            process.stdout.write(text);
            return EXIT.ok;
          }
          writeFileSync(path, text);
          const count = Object.keys(pulled.file.flags).length;
          const shaped = pulled.unleashShaped.length;
          print(
            `wrote ${options.out}: ${counted(count, 'flag')} from project ${options.project}, environment ${options.env}` +
              (shaped > 0
                ? ` (${shaped} in Unleash's own shape: ${shownText(pulled.unleashShaped.join(', '), MAX_MESSAGE_LENGTH)})`
                : ''),
          );
          return EXIT.ok;
        }),
      );
  },
};
