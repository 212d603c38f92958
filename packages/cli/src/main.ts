// The program: the registered commands, exit codes, and one-line errors for bad input.
import { FlagwiseError } from '@flagwise/core';
import { redactUrls } from '@flagwise/unleash/admin';
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import packageJson from '../package.json' with { type: 'json' };
import type { ActionRunner } from './command.js';
import { commands } from './commands/index.js';
import { MAX_MESSAGE_LENGTH, shownLines, shownText } from './terminal-text.js';
import { EXIT, UsageError } from './usage-error.js';

/**
 * Runs the command line with `argv` (as process.argv) and resolves to the exit code.
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode: number = EXIT.ok;
  const run: ActionRunner =
    (action) =>
    async (...args) => {
      exitCode = await action(...args);
    };

  const program = new Command('flagwise')
    .description('Validate, explain, test, type and find the references of your feature flags')
    .version(packageJson.version)
    .option('--debug', 'print the stack trace of an error')
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  for (const command of commands) command.register(program, run);
  // every subcommand reports like the program itself
  for (const command of program.commands) command.exitOverride().configureOutput({ outputError: () => {} });

  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      // no command given: commander printed the help
      if (error.code === 'commander.help') return EXIT.usage;
      const message = shownText(error.message.replace(/^error: /, ''), MAX_MESSAGE_LENGTH);
      process.stderr.write(`${pc.red('flagwise:')} ${message}; see flagwise --help\n`);
      return EXIT.usage;
    }
    report(error, debug);
    return EXIT.usage;
  }
}

/** The error as one line; a message quotes what a server answered, so it is shown bounded and without controls. */
function report(error: unknown, debug: boolean): void {
  const known = error instanceof UsageError || error instanceof FlagwiseError;
  // a URL in a message may carry the credentials of UNLEASH_URL
  const message = shownText(
    redactUrls(error instanceof Error ? error.message.split('\n')[0] : String(error)),
    MAX_MESSAGE_LENGTH,
  );
  const text = known ? message : `unexpected error: ${message} (run with --debug for the stack trace)`;
  process.stderr.write(`${pc.red('flagwise:')} ${text}\n`);
  if (debug && error instanceof Error && error.stack)
    process.stderr.write(`${shownLines(redactUrls(error.stack))}\n`);
}
