// Bad input to the command line: a file that cannot be read, a flag that does not exist, a malformed option.
// main() prints the message as one line and exits 2, with no stack trace unless --debug.

/**
 * Thrown for input the command cannot work with; the message says what is wrong and how to fix it.
 * @example
 * throw new UsageError('--prop expects key=value, got "plan"; write --prop plan=pro');
 */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/**
 * The value of a numeric option such as `--timeout <ms>`, or undefined when it was not given.
 * @throws UsageError when it is not a whole positive number.
 * @example
 * wholeNumberOption('500', '--timeout', 'milliseconds'); // 500
 */
export function wholeNumberOption(
  text: string | undefined,
  option: string,
  unit: string,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`${option} must be a whole number of ${unit}, got "${text}"`);
  }
  return value;
}

/** Exit codes: 0 clean, 1 when the check found problems, 2 when the command could not run. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;
