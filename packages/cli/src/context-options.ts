// The evaluation context from command-line options: --user, --session, --ip, --app, --env, --prop key=value.

import type { FlagContext } from '@flagwise/core';
import type { Command } from 'commander';
import { UsageError } from './usage-error.js';

export interface ContextOptions {
  user?: string;
  session?: string;
  ip?: string;
  app?: string;
  env?: string;
  prop?: string[];
  context?: string;
}

/**
 * Declares the context options on a command.
 * @example
 * addContextOptions(program.command('explain [flag]'));
 */
export function addContextOptions(command: Command): Command {
  return command
    .option('--user <id>', 'userId')
    .option('--session <id>', 'sessionId')
    .option('--ip <address>', 'remoteAddress')
    .option('--app <name>', 'appName')
    .option('--env <name>', 'environment')
    .option('--prop <key=value>', 'a context property (repeat for more)', collect, [])
    .option(
      '--context <json>',
      'a whole context as JSON, e.g. \'{"userId":"alice","properties":{"plan":"pro"}}\'',
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * The context the options describe; the named options win over `--context`.
 * @throws UsageError for a malformed --prop or --context.
 * @example
 * contextFrom({ user: 'alice', prop: ['plan=pro'] }); // { userId: 'alice', properties: { plan: 'pro' } }
 */
export function contextFrom(options: ContextOptions): FlagContext {
  const context: FlagContext = options.context === undefined ? {} : parseContextJson(options.context);
  const fields = [
    ['userId', options.user],
    ['sessionId', options.session],
    ['remoteAddress', options.ip],
    ['appName', options.app],
    ['environment', options.env],
  ] as const;
  for (const [field, value] of fields) if (value !== undefined) context[field] = value;
  for (const prop of options.prop ?? []) {
    const equals = prop.indexOf('=');
    if (equals <= 0) {
      throw new UsageError(`--prop expects key=value, got "${prop}"; write e.g. --prop plan=pro`);
    }
    context.properties = { ...context.properties, [prop.slice(0, equals)]: prop.slice(equals + 1) };
  }
  return context;
}

function parseContextJson(text: string): FlagContext {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--context is not JSON (${(error as Error).message}); write e.g. --context '{"userId":"alice"}'`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--context must be a JSON object, e.g. --context \'{"userId":"alice"}\'');
  }
  return value as FlagContext;
}
