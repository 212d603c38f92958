// Flags written in code. Checked when created, so a mistake throws where it was made.
import type { FlagSource, SourceStartContext } from '../types.js';
import { definitionsFromInput, type FlagsInput } from './in-code-definitions.js';
import { BaseSource } from './source-base.js';

/**
 * Flags defined in code: Unleash definitions, or the flags file format as an object.
 * Throws a ConfigurationError at once when the input is invalid.
 * @example
 * const flags = createFlags({ source: inlineSource({ flags: { 'dark-mode': true, 'new-pricing': { rollout: 10 } } }) });
 */
export function inlineSource(definitionsOrFlags: FlagsInput): FlagSource {
  return new InlineSource(definitionsOrFlags);
}

class InlineSource extends BaseSource {
  readonly name = 'inline';
  private readonly warnings: string[];

  constructor(input: FlagsInput) {
    super();
    const { definitions, warnings } = definitionsFromInput(input, 'inlineSource()');
    this.warnings = warnings;
    this.setInitial(definitions);
  }

  async start(context: SourceStartContext): Promise<void> {
    this.logger = context.logger;
    for (const warning of this.warnings.splice(0)) this.emitWarning(`inlineSource(): ${warning}`);
    this.setStatus('ready');
  }

  async stop(): Promise<void> {}
}
