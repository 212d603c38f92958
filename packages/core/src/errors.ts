// One error base class for the whole project: a stable string `code` to branch on, a `name` per subclass,
// and a message that says how to fix the problem.

/** What went wrong, member by member: the stable `code` of every FlagwiseError. */
export interface FlagwiseErrorCodes {
  /** A flag's definition cannot be compiled (FlagDefinitionError names the flag and the field). */
  INVALID_DEFINITION: true;
  /** A flags file does not parse or does not validate (FlagsFileError names the file, line and column). */
  INVALID_FLAGS_FILE: true;
  /** The flags file is not where the source looks (FlagsFileError names the path). */
  FLAGS_FILE_NOT_FOUND: true;
  /** Startup gave up waiting for the flags where the adapter was told to fail (`failOnNotReady`). */
  NOT_READY: true;
  /** `ready({ timeoutMs })` ran out of time before the source delivered definitions. */
  READY_TIMEOUT: true;
  /**
   * A source could not get definitions: an unreachable server, a file that cannot be read or watched. The
   * client keeps serving the last good flags and the source keeps retrying.
   */
  SOURCE_FAILED: true;
  /** Unleash or GitLab refused the token (401/403): waiting will not fix it. */
  UNAUTHORIZED: true;
  /** Wrong options or a wrong setup, caught at startup (ConfigurationError); the message says the fix. */
  MISCONFIGURED: true;
  /** Unleash changed under a write (push): nothing more was written; diff again, or force. */
  CONFLICT: true;
  /** The client was closed: `ready()` after or during `close()`. */
  CLOSED: true;
}

/** The stable `code` of a FlagwiseError: one of the members of FlagwiseErrorCodes. */
export type FlagwiseErrorCode = keyof FlagwiseErrorCodes;

/**
 * Base class of every error flagwise throws or emits.
 * @example
 * try { await flags.ready({ timeoutMs: 2000 }) } catch (e) { if (e instanceof FlagwiseError) log(e.code) }
 */
export class FlagwiseError extends Error {
  readonly code: FlagwiseErrorCode;
  constructor(code: FlagwiseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'FlagwiseError';
  }

  /** JSON.stringify (and loggers that use it) sees the message, which is not an own enumerable property. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      ...(this as object),
      name: this.name,
      code: this.code,
      message: this.message,
    };
    if (this.cause !== undefined) {
      json.cause =
        this.cause instanceof Error ? { name: this.cause.name, message: this.cause.message } : this.cause;
    }
    return json;
  }
}

/** A flag definition that cannot be compiled; names the flag and the field. */
export class FlagDefinitionError extends FlagwiseError {
  readonly flag: string;
  readonly field: string;
  constructor(flag: string, field: string, problem: string) {
    super('INVALID_DEFINITION', `flag "${flag}": ${field}: ${problem}`);
    this.name = 'FlagDefinitionError';
    this.flag = flag;
    this.field = field;
  }
}

/** One problem of a flags file, with its position where known. */
export interface FlagsFileProblem {
  message: string;
  line?: number;
  column?: number;
}

/** A flags file that cannot be read or parsed; names the path and, where known, the line. */
export class FlagsFileError extends FlagwiseError {
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  /** every problem found, the first one included (the message lists only the first few) */
  readonly problems: readonly FlagsFileProblem[];
  constructor(
    code: 'INVALID_FLAGS_FILE' | 'FLAGS_FILE_NOT_FOUND',
    path: string,
    problem: string,
    where?: { line?: number; column?: number; cause?: unknown; problems?: readonly FlagsFileProblem[] },
  ) {
    const at = where?.line ? `:${where.line}${where.column ? `:${where.column}` : ''}` : '';
    super(code, `${path}${at}: ${problem}`, { cause: where?.cause });
    this.name = 'FlagsFileError';
    this.path = path;
    this.line = where?.line;
    this.column = where?.column;
    this.problems = where?.problems ?? [{ message: problem, line: where?.line, column: where?.column }];
  }
}

/** Wrong options, caught at startup. The message says how to fix it. */
export class ConfigurationError extends FlagwiseError {
  constructor(message: string) {
    super('MISCONFIGURED', message);
    this.name = 'ConfigurationError';
  }
}
