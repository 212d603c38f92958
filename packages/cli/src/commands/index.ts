// Every command of the `flagwise` bin, one file each. A new command is one file exporting a CliCommand and one
// line here.
import type { CliCommand } from '../command.js';
import { diffCommand } from './diff.js';
import { explainCommand } from './explain.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { refsCommand } from './refs.js';
import { testCommand } from './test.js';
import { typesCommand } from './types.js';
import { validateCommand } from './validate.js';

export const commands: readonly CliCommand[] = [
  validateCommand,
  explainCommand,
  testCommand,
  typesCommand,
  refsCommand,
  pullCommand,
  diffCommand,
  pushCommand,
];
