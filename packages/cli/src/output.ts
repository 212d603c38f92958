// Where the commands write: stdout for results, stderr for the one-line usage errors.
import { jsonReport } from './terminal-text.js';

/** Writes one line (or several joined lines) to stdout. */
export function print(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Writes a report as indented JSON to stdout, its strings bounded and control characters escaped. */
export function printJson(value: unknown): void {
  process.stdout.write(`${jsonReport(value)}\n`);
}
