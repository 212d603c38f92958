// Problems found by validate and refs, printed as text, JSON or GitHub workflow annotations.
import pc from 'picocolors';
import { counted } from './counted.js';
import { MAX_MESSAGE_LENGTH, shownText } from './terminal-text.js';
import { UsageError } from './usage-error.js';

export type Severity = 'error' | 'warning';

/** One finding, at a place in a file where known. */
export interface Problem {
  severity: Severity;
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export const PROBLEM_FORMATS = ['text', 'json', 'github'] as const;
export type ProblemFormat = (typeof PROBLEM_FORMATS)[number];

/** Checks a `--format` value, so a typo is a usage error rather than silent text output. */
export function problemFormat(value: string, allowed: readonly string[] = PROBLEM_FORMATS): ProblemFormat {
  if (!allowed.includes(value)) {
    throw new UsageError(`--format must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as ProblemFormat;
}

export function where(problem: Problem): string {
  const file = shownText(problem.file);
  if (problem.line === undefined) return file;
  return `${file}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
}

/** `file:line:col: error: message`, the shape editors and terminals turn into links. */
export function problemLine(problem: Problem): string {
  const label = problem.severity === 'error' ? pc.red('error') : pc.yellow('warning');
  return `${pc.bold(where(problem))}: ${label}: ${shownText(problem.message, MAX_MESSAGE_LENGTH)}`;
}

/**
 * GitHub's workflow command: `::error file=…,line=…,col=…::message` (% escaped); `notice` for what is neither an
 * error nor a warning.
 */
export function githubAnnotation(
  problem: Omit<Problem, 'severity'> & { severity: Severity | 'notice' },
): string {
  const properties = [`file=${escapeProperty(shownText(problem.file))}`];
  if (problem.line !== undefined) properties.push(`line=${problem.line}`);
  if (problem.column !== undefined) properties.push(`col=${problem.column}`);
  const message = shownText(problem.message, MAX_MESSAGE_LENGTH);
  return `::${problem.severity} ${properties.join(',')}::${escapeData(message)}`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function countProblems(problems: readonly Problem[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const problem of problems) if (problem.severity === 'error') errors++;
  return { errors, warnings: problems.length - errors };
}

/** `2 errors, 1 warning` */
export function summary(problems: readonly Problem[]): string {
  const { errors, warnings } = countProblems(problems);
  return `${counted(errors, 'error')}, ${counted(warnings, 'warning')}`;
}
