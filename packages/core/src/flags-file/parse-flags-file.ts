// Text of a flags file → definitions, or a FlagsFileError naming the path, the line and what is wrong.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  YAMLParseError,
} from 'yaml';
import { FlagsFileError } from '../errors.js';
import type { ClientFeaturesPayload } from '../types.js';
import { type FlagsFileIssue, IssueCollector } from './issues.js';
import { type FlagsDocumentFormat, type ReadDocumentOptions, readFlagsDocument } from './read-document.js';

/** Deeper `[`/`{` nesting is rejected before parsing: no flags file needs it, and parsers take long over it. */
const MAX_FLOW_NESTING = 64;

/** How many further problems an error lists after the first. */
const MAX_LISTED_ISSUES = 10;

/**
 * What parseFlagsFile() returns.
 * @example
 * const { definitions, format, warnings }: ParsedFlagsFile = parseFlagsFile(text, 'flags.yaml');
 */
export interface ParsedFlagsFile {
  definitions: ClientFeaturesPayload;
  format: FlagsDocumentFormat;
  /** things that load but are probably not meant, e.g. `requires:` naming a flag that does not exist */
  warnings: string[];
}

/**
 * Options of parseFlagsFile().
 * @example
 * parseFlagsFile(text, 'export.json', { environment: 'production' });
 */
export interface ParseFlagsFileOptions extends ReadDocumentOptions {}

interface Position {
  line: number;
  column: number;
}

/**
 * Parses the text of a flags file: the short format (YAML or JSON), Unleash client features, or an Unleash
 * export. JSON is read as JSON when the path ends in `.json`, otherwise as YAML (which also reads JSON).
 * @throws FlagsFileError with `path`, `line` and `column` of the first problem; the message lists the others.
 * @example
 * const { definitions } = parseFlagsFile('flags:\n  dark-mode: true\n', 'flags.yaml');
 */
export function parseFlagsFile(
  text: string,
  path: string,
  options: ParseFlagsFileOptions = {},
): ParsedFlagsFile {
  // Some Windows editors start UTF-8 files with a byte order mark, which JSON.parse rejects.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    throw new FlagsFileError(
      'INVALID_FLAGS_FILE',
      path,
      'the file is empty; write at least `flags:` with one flag under it, e.g. "flags:\\n  dark-mode: true"',
      { line: 1 },
    );
  }
  const tooDeep = flowNestingBeyond(text, MAX_FLOW_NESTING);
  if (tooDeep !== undefined) {
    const at = positionOf(text, tooDeep);
    throw new FlagsFileError(
      'INVALID_FLAGS_FILE',
      path,
      `brackets nested deeper than ${MAX_FLOW_NESTING} levels; a flags file needs a handful`,
      { line: at.line, column: at.column },
    );
  }
  const json = /\.json$/i.test(path);
  let document: unknown;
  let yaml: YamlLocator | undefined;
  if (json) {
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw jsonSyntaxError(text, path, error as Error);
    }
    // JSON.parse keeps the last of two equal keys without a word; the YAML parser (a JSON superset) finds them.
    yaml = new YamlLocator(text);
    const duplicate = yaml.document.errors.find((error) => error.code === 'DUPLICATE_KEY');
    if (duplicate) throw yaml.syntaxError(duplicate, path, 'JSON');
    rejectReservedKeys(yaml, path);
  } else {
    yaml = new YamlLocator(text);
    const syntax = yaml.document.errors[0];
    if (syntax) throw yaml.syntaxError(syntax, path, 'YAML syntax');
    rejectReservedKeys(yaml, path);
    try {
      document = yaml.document.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      throw new FlagsFileError('INVALID_FLAGS_FILE', path, `YAML: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  const issues = new IssueCollector();
  const result = readFlagsDocument(document, issues, { ...options, checkPatterns: true });
  if (!issues.ok || !result.definitions || !result.format) {
    // JSON is located through the YAML parser only when there is something to point at.
    throw issuesError(issues.issues, path, yaml ?? new YamlLocator(text));
  }
  return { definitions: result.definitions, format: result.format, warnings: result.warnings };
}

function issuesError(issues: readonly FlagsFileIssue[], path: string, locator: YamlLocator): FlagsFileError {
  const located = issues.map((issue) => ({ issue, at: locator.locate(issue.path, issue.key) }));
  const [first, ...rest] = located;
  let message = first.issue.message;
  if (rest.length > 0) {
    const listed = rest
      .slice(0, MAX_LISTED_ISSUES)
      .map(({ issue, at }) => `\n  ${path}${at ? `:${at.line}:${at.column}` : ''}: ${issue.message}`)
      .join('');
    const more = rest.length > MAX_LISTED_ISSUES ? `\n  …and ${rest.length - MAX_LISTED_ISSUES} more` : '';
    message += `\nalso:${listed}${more}`;
  }
  return new FlagsFileError('INVALID_FLAGS_FILE', path, message, {
    line: first.at?.line,
    column: first.at?.column,
    problems: located.map(({ issue, at }) => ({
      message: issue.message,
      line: at?.line,
      column: at?.column,
    })),
  });
}

function jsonSyntaxError(text: string, path: string, error: Error): FlagsFileError {
  const match = /position (\d+)/.exec(error.message);
  const at = match ? positionOf(text, Number(match[1])) : undefined;
  const problem = error.message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '');
  return new FlagsFileError('INVALID_FLAGS_FILE', path, `JSON syntax: ${problem}`, {
    line: at?.line,
    column: at?.column,
    cause: error,
  });
}

/** The offset of the first `[` or `{` (outside quotes and comments) that opens level `limit + 1`, if any. */
function flowNestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (char === 0x27 /* ' */ && depth > 0) {
      // in block YAML an apostrophe is mostly prose (don't); only inside brackets is it surely a quote
      for (i++; i < text.length && text.charCodeAt(i) !== 0x27; i++);
    } else if (char === 0x23 /* # */ && (i === 0 || text.charCodeAt(i - 1) <= 0x20)) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (++depth > limit) return i;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      if (depth > 0) depth--;
    }
  }
  return undefined;
}

function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * `__proto__` as a key would name a flag, segment or variant that JavaScript objects cannot hold as data:
 * rejected with its line rather than dropped or turned into a prototype somewhere down the line.
 */
function rejectReservedKeys(yaml: YamlLocator, path: string): void {
  visit(yaml.document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '__proto__') {
        const where = yaml.lineCounter.linePos(rangeStart(pair.key) ?? 0);
        throw new FlagsFileError(
          'INVALID_FLAGS_FILE',
          path,
          '"__proto__" cannot be a name in a flags file (JavaScript reserves it); rename it',
          { line: where.line, column: where.col },
        );
      }
    },
  });
}

/** Finds the line of a path in a YAML (or JSON) document through the parser's node ranges. */
class YamlLocator {
  readonly lineCounter = new LineCounter();
  readonly document: Document;

  constructor(text: string) {
    // merge: `<<: *defaults` shares settings between flags, a YAML idiom people expect to work.
    this.document = parseDocument(text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: false,
      merge: true,
    });
    // A key written twice is an error with its line, not a silent "last one wins". Checked here with a Set per
    // map: the parser's own uniqueKeys check compares each key with every earlier one, quadratic in 10,000 flags.
    const duplicates = duplicateKeyErrors(this.document);
    if (duplicates.length > 0) {
      this.document.errors.push(...duplicates);
      this.document.errors.sort((a, b) => a.pos[0] - b.pos[0]);
    }
  }

  /** A parser error as a FlagsFileError at its line and column. */
  syntaxError(error: Document['errors'][number], path: string, label: string): FlagsFileError {
    const where = this.lineCounter.linePos(error.pos[0]);
    const message =
      error.code === 'DUPLICATE_KEY' ? `${error.message}; this key is written twice` : error.message;
    return new FlagsFileError('INVALID_FLAGS_FILE', path, `${label}: ${message}`, {
      line: where.line,
      column: where.col,
      cause: error,
    });
  }

  /** The key's position for a value inside a map (where users look), else the node's; the nearest ancestor if absent. */
  locate(path: readonly (string | number)[], key?: string): Position | undefined {
    const full = key === undefined ? path : [...path, key];
    let node: unknown = this.document.contents;
    let offset = rangeStart(node);
    for (const part of full) {
      if (isAlias(node)) node = node.resolve(this.document);
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
        node = node.items[part];
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    if (offset === undefined) return undefined;
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

/** The parser's DUPLICATE_KEY errors (same message, same position: the second key), found in linear time. */
function duplicateKeyErrors(document: Document): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        // the parser's equality: the same node, or scalars with the same value
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const start = rangeStart(pair.key) ?? 0;
          errors.push(new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        }
        seen.add(key);
      }
    },
  });
  return errors;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
