// How the CLI shows text it did not write itself: what an Unleash server (or anything at UNLEASH_URL) answers, and
// names and values read from flags files and code. Control characters are shown, not sent (a terminal acts on them:
// an escape sequence sets its title or clears the screen; a newline inside a value forges a line of output), and
// every value is bounded, so one answer cannot flood the terminal or a CI log.

/** The most characters of one value shown; the middle of a longer one is left out. */
export const MAX_VALUE_LENGTH = 1_000;
/** The most characters of one message (a sentence of the CLI's that quotes values). */
export const MAX_MESSAGE_LENGTH = 2_000;
/** The most characters of one line of a multi-line report such as a diff. */
export const MAX_LINE_LENGTH = 10_000;

/** C0 controls (tab and newline too), DEL and C1 controls: Unicode's Cc category. */
const CONTROL_CHARACTERS = /\p{Cc}/gu;
/** What JSON.stringify and the YAML writer leave raw inside quoted strings. */
const UNESCAPED_CONTROL_CHARACTERS = /[\u007f-\u009f]/g;

/**
 * A control character in caret notation, as `cat -v` shows it: ESC is `^[`, newline `^J`, DEL `^?`; a C1 control
 * is its 7-bit form (0x9b, CSI, is `^[[`).
 */
function caretNotation(character: string): string {
  const code = character.charCodeAt(0);
  if (code === 0x7f) return '^?';
  if (code >= 0x80) return `^[${String.fromCharCode(code - 0x40)}`;
  return `^${String.fromCharCode(code + 0x40)}`;
}

/**
 * `text` with at most `max` characters of it kept: the start and the end, and how many were left out between.
 * @example
 * elide('a'.repeat(5000), 100); // 'aaa…[4,940 characters left out]…aaa'
 */
export function elide(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept = Math.max(2, max - 40);
  let headEnd = Math.ceil(kept / 2);
  let tailStart = text.length - Math.floor(kept / 2);
  // never split a surrogate pair: half a character would print as a replacement character
  if (isHighSurrogate(text.charCodeAt(headEnd - 1))) headEnd--;
  if (isLowSurrogate(text.charCodeAt(tailStart))) tailStart++;
  const leftOut = (tailStart - headEnd).toLocaleString('en-US');
  return `${text.slice(0, headEnd)}…[${leftOut} characters left out]…${text.slice(tailStart)}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * One value as the terminal may show it: control characters in caret notation, at most `max` characters kept.
 * @example
 * shownText('\u001b]0;owned\u0007 7.5.1'); // '^[]0;owned^G 7.5.1'
 */
export function shownText(text: string, max: number = MAX_VALUE_LENGTH): string {
  return elide(text, max).replace(CONTROL_CHARACTERS, caretNotation);
}

/**
 * A copy of plain data (objects, arrays) with every string, keys included, passed through `shown`.
 * @example
 * mapStrings({ name: '\u001b[2J' }, shownText); // { name: '^[[2J' }
 */
export function mapStrings<T>(value: T, shown: (text: string) => string = shownText): T {
  if (typeof value === 'string') return shown(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, shown)) as T;
  if (value === null || typeof value !== 'object') return value;
  const prototype = Object.getPrototypeOf(value);
  // class instances (an Error, a Date) are not plain data: left as they are
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defined, not assigned: a key such as `__proto__` in a server's JSON stays a plain key
    Object.defineProperty(copy, shown(key), {
      value: mapStrings(item, shown),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy as T;
}

/**
 * JSON or YAML text with the control characters their writers leave raw (DEL, C1) written as `\u` escapes,
 * which both formats read back as the same characters. Every other control character is already escaped there.
 * @example
 * escapeRawControls(JSON.stringify('\u009b2J')); // '"\\u009b2J"'
 */
export function escapeRawControls(text: string): string {
  return text.replace(
    UNESCAPED_CONTROL_CHARACTERS,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Indented JSON of a report: every string at most MAX_VALUE_LENGTH characters, control characters escaped.
 * @example
 * process.stdout.write(`${jsonReport({ problems })}\n`);
 */
export function jsonReport(value: unknown): string {
  const bounded = mapStrings(value, (text) => elide(text, MAX_VALUE_LENGTH));
  return escapeRawControls(JSON.stringify(bounded, null, 2));
}

/**
 * A multi-line report the CLI rendered from outside values: each line without control characters and at most
 * MAX_LINE_LENGTH characters (a value of many short strings can still make a long line).
 * @example
 * process.stdout.write(shownLines(formatDiff(mapStrings(diff), 'text')));
 */
export function shownLines(text: string): string {
  return text
    .split('\n')
    .map((line) => shownText(line, MAX_LINE_LENGTH))
    .join('\n');
}
