// A FlagTrace as lines of text: the answer, then core's trace in words (the flags file's words for a flag from a
// flags file, Unleash's for one from Unleash), the dashboard's "why?" in a terminal.
import { type FlagContext, type FlagTrace, traceLines } from '@flagwise/core';
import pc from 'picocolors';
import { mapStrings, shownText } from './terminal-text.js';

const mark = (held: boolean | undefined) =>
  held === undefined ? pc.yellow('~') : held ? pc.green('✓') : pc.red('✗');

/**
 * The trace of one evaluation for `context` as indented lines, the answer first.
 * @example
 * print(...renderTrace(traceFlag(flags, 'new-pricing', { userId: 'alice' }), { userId: 'alice' }));
 */
export function renderTrace(outside: FlagTrace, outsideContext: FlagContext): string[] {
  // names, values and payloads come from the definitions: from a server, or a file someone else wrote
  const trace = mapStrings(outside, shownText);
  const context = mapStrings(outsideContext, shownText);
  const state = trace.enabled ? pc.green('on') : pc.red('off');
  const lines = [`${pc.bold(trace.flag)}: ${state} (${trace.reason})`];
  if (trace.detail) lines.push(`  ${trace.detail}`);
  if (trace.variant.enabled) {
    const payload = trace.variant.payload
      ? `, payload (${trace.variant.payload.type}) ${trace.variant.payload.value}`
      : '';
    lines.push(`  variant: ${trace.variant.name}${payload}`);
  }
  for (const line of traceLines(trace, context)) {
    const decided = line.decided ? ' ← decided' : '';
    lines.push(`${'  '.repeat(1 + 2 * line.depth)}${mark(line.held)} ${line.text}${decided}`);
  }
  return lines;
}
