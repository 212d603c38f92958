// The shape of one command of the bin.
import type { Command } from 'commander';

/**
 * One command: `register` declares it on the program; its action resolves to the exit code.
 * @example
 * export const helloCommand: CliCommand = {
 *   name: 'hello',
 *   register: (program, run) => program.command('hello').action(run(async () => { print('hi'); return 0; })),
 * };
 */
export interface CliCommand {
  name: string;
  register(program: Command, run: ActionRunner): void;
}

/** Wraps an action: its resolved number becomes the exit code; a thrown error is reported by main(). */
export type ActionRunner = <A extends unknown[]>(
  action: (...args: A) => Promise<number>,
) => (...args: A) => Promise<void>;
