// flagwise explain <flag>: the value, variant and payload for one context, and the engine's trace of why.
import { compileFlags, traceFlag } from '@flagwise/core';
import { closest } from '@flagwise/core/adapter';
import pc from 'picocolors';
import type { CliCommand } from '../command.js';
import { addContextOptions, type ContextOptions, contextFrom } from '../context-options.js';
import { addFlagsOptions, type DefinitionsOptions, loadFlags } from '../definitions.js';
import { print, printJson } from '../output.js';
import { problemFormat } from '../problems.js';
import { renderTrace } from '../render-trace.js';
import { mapStrings, shownText } from '../terminal-text.js';
import { EXIT, UsageError } from '../usage-error.js';

interface ExplainOptions extends ContextOptions, DefinitionsOptions {
  all?: boolean;
  format: string;
}

export const explainCommand: CliCommand = {
  name: 'explain',
  register(program, run) {
    const command = program
      .command('explain')
      .description(
        'why a flag is on or off for a context: each strategy, constraint, rollout bucket and dependency',
      )
      .argument('[flag]', 'the flag to explain')
      .option('--all', 'every flag for this context, one line each')
      .option('--format <format>', 'text or json', 'text');
    addContextOptions(command);
    addFlagsOptions(command).action(
      run(async (flag: string | undefined, options: ExplainOptions) => {
        const format = problemFormat(options.format, ['text', 'json']);
        if (flag === undefined && !options.all) {
          throw new UsageError(
            'name a flag to explain, e.g. `flagwise explain new-pricing --user alice`, or pass --all',
          );
        }
        const context = contextFrom(options);
        const { definitions, origin } = await loadFlags(options);
        const flags = compileFlags(definitions);
        if (options.all) {
          const answers = flags.names().map((name) => flags.explain(name, context));
          if (format === 'json') printJson({ context, flags: answers });
          else {
            for (const answer of mapStrings(answers, shownText)) {
              const variant = answer.variant.enabled ? ` variant ${answer.variant.name}` : '';
              print(
                `${answer.enabled ? pc.green('on ') : pc.red('off')} ${answer.flag}${variant} (${answer.reason})`,
              );
            }
          }
          return EXIT.ok;
        }
        const name = flag as string;
        if (!flags.has(name)) {
          const suggestion = closest(name, flags.names());
          throw new UsageError(
            `no flag "${name}" in ${origin}` +
              (suggestion
                ? `; did you mean "${suggestion}"?`
                : '; run `flagwise explain --all` to list the flags'),
          );
        }
        const trace = traceFlag(flags, name, context);
        if (format === 'json') printJson({ context, ...trace });
        else print(...renderTrace(trace, context));
        return EXIT.ok;
      }),
    );
  },
};
