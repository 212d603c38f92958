// How pull, diff and push show what Unleash holds. Flag names, descriptions, values, payloads and error messages
// come from the server: every one is shown bounded and without control characters, in every format.
import {
  type DiffFormat,
  type FormatDiffOptions,
  formatDiff,
  formatPushReport,
  type PushReport,
  type SyncDiff,
} from '@flagwise/unleash/admin';
import {
  elide,
  escapeRawControls,
  MAX_MESSAGE_LENGTH,
  MAX_VALUE_LENGTH,
  mapStrings,
  shownLines,
  shownText,
} from '../terminal-text.js';

/**
 * The diff in `format`: text and GitHub annotations with each value shown safely; JSON with each string bounded
 * and control characters escaped (a JSON reader gets them back).
 * @example
 * process.stdout.write(diffOutput(diff, 'github', { file: 'flags.yaml' }));
 */
export function diffOutput(diff: SyncDiff, format: DiffFormat, options: FormatDiffOptions = {}): string {
  if (format === 'json') {
    return escapeRawControls(
      formatDiff(
        mapStrings(diff, (text) => elide(text, MAX_VALUE_LENGTH)),
        'json',
      ),
    );
  }
  return shownLines(formatDiff(mapStrings(diff, shownText), format, options));
}

/**
 * What push wrote, and where it stopped with Unleash's own message, shown safely.
 * @example
 * process.stdout.write(pushReportOutput(report));
 */
export function pushReportOutput(report: PushReport): string {
  const failed = report.failed && {
    name: shownText(report.failed.name),
    error: new Error(shownText(report.failed.error.message, MAX_MESSAGE_LENGTH)),
    doneSteps: mapStrings(report.failed.doneSteps, shownText),
  };
  return shownLines(
    formatPushReport({
      ...report,
      written: mapStrings(report.written, shownText),
      notAttempted: mapStrings(report.notAttempted, shownText),
      failed,
    }),
  );
}
