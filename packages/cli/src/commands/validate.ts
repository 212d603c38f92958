// flagwise validate [file…]: every problem of the flags files, with file:line:col and a suggestion where there is one.
import { FlagsFileError, parseFlagsFile } from '@flagwise/core';
import pc from 'picocolors';
import { checkDefinitions } from '../check-definitions.js';
import type { CliCommand } from '../command.js';
import { counted } from '../counted.js';
import { defaultFlagsFile, loadFlags, readText } from '../definitions.js';
import { FlagsFileLocator } from '../locate.js';
import { print, printJson } from '../output.js';
import {
  countProblems,
  githubAnnotation,
  type Problem,
  problemFormat,
  problemLine,
  summary,
} from '../problems.js';
import { shownText } from '../terminal-text.js';
import { EXIT } from '../usage-error.js';

interface ValidateOptions {
  strict?: boolean;
  format: string;
  timeout?: string;
}

interface FileReport {
  file: string;
  flags: number;
  problems: Problem[];
}

/** The short format's own warning for a `requires:` on a missing flag: reported as an error with a suggestion. */
const SHORT_FORMAT_MISSING_DEPENDENCY = /: flag ".*" is not defined, so ".*" stays off until it is$/;
const SEGMENT_WARNING = /^segment (\S+)/;
const ENGINE_SEGMENT_WARNING = /segment (\S+) .*has no constraints/;

export const validateCommand: CliCommand = {
  name: 'validate',
  register(program, run) {
    program
      .command('validate')
      .description('check flags files: every problem with file:line:col (exit 1 on errors)')
      .argument(
        '[files...]',
        'flags files (default: flags.yaml, .yml or .json here, or Unleash by UNLEASH_URL)',
      )
      .option('--strict', 'warnings fail too')
      .option('--format <format>', 'text, json or github (workflow annotations)', 'text')
      .option('--timeout <ms>', 'how long to wait for Unleash or GitLab')
      .action(
        run(async (files: string[], options: ValidateOptions) => {
          const format = problemFormat(options.format);
          const cwd = process.cwd();
          const reports: FileReport[] = [];
          if (files.length === 0 && process.env.UNLEASH_URL?.trim()) {
            const loaded = await loadFlags({ timeout: options.timeout }, cwd);
            reports.push({
              file: loaded.origin,
              flags: loaded.definitions.features.length,
              problems: checkDefinitions(loaded.definitions, loaded.origin, () => undefined),
            });
          } else {
            for (const file of files.length > 0 ? files : [defaultFlagsFile(cwd)]) {
              reports.push(validateFile(file, readText(file, cwd)));
            }
          }
          const problems = reports.flatMap((report) => report.problems);
          printReports(reports, problems, format);
          const { errors, warnings } = countProblems(problems);
          return errors > 0 || (options.strict && warnings > 0) ? EXIT.problems : EXIT.ok;
        }),
      );
  },
};

/**
 * Every problem of one flags file's text.
 * @example
 * validateFile('flags.yaml', text).problems;
 */
export function validateFile(file: string, text: string): FileReport {
  const problems: Problem[] = [];
  let locator: FlagsFileLocator | undefined;
  const locatorOf = () => (locator ??= new FlagsFileLocator(text));
  let parsed: ReturnType<typeof parseFlagsFile>;
  try {
    parsed = parseFlagsFile(text, file);
  } catch (error) {
    if (!(error instanceof FlagsFileError)) throw error;
    for (const problem of error.problems) {
      problems.push({
        severity: 'error',
        file,
        line: problem.line,
        column: problem.column,
        message: problem.message,
      });
    }
    return { file, flags: 0, problems };
  }
  for (const warning of parsed.warnings) {
    if (SHORT_FORMAT_MISSING_DEPENDENCY.test(warning)) continue;
    const segment = SEGMENT_WARNING.exec(warning)?.[1];
    const at = segment === undefined ? undefined : locatorOf().segment(segment);
    problems.push({ severity: 'warning', file, ...at, message: warning });
  }
  // the file's reader and the engine both notice a segment without constraints: say it once
  const segmentsWarned = new Set(
    parsed.warnings.map((warning) => SEGMENT_WARNING.exec(warning)?.[1]).filter((id) => id !== undefined),
  );
  const engineProblems = checkDefinitions(parsed.definitions, file, (name) => locatorOf().flag(name));
  problems.push(
    ...engineProblems.filter((problem) => {
      const segment = ENGINE_SEGMENT_WARNING.exec(problem.message)?.[1];
      return segment === undefined || !segmentsWarned.has(segment);
    }),
  );
  return { file, flags: parsed.definitions.features.length, problems };
}

function printReports(reports: readonly FileReport[], problems: readonly Problem[], format: string): void {
  if (format === 'json') {
    printJson({
      files: reports.map(({ file, flags }) => ({ file, flags })),
      ...countProblems(problems),
      problems,
    });
    return;
  }
  if (format === 'github') {
    for (const problem of problems) print(githubAnnotation(problem));
    return;
  }
  for (const report of reports) {
    for (const problem of report.problems) print(problemLine(problem));
    const flags = counted(report.flags, 'flag');
    const { errors } = countProblems(report.problems);
    const mark = errors > 0 ? pc.red('✗') : report.problems.length > 0 ? pc.yellow('!') : pc.green('✓');
    print(
      `${mark} ${shownText(report.file)}: ${flags}, ${report.problems.length === 0 ? 'no problems' : summary(report.problems)}`,
    );
  }
}
