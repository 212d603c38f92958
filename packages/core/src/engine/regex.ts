// REGEX constraints: unleash-client compiles the pattern with re2js (RE2 syntax and semantics) and tests with
// `matcher(value).find()`. re2js is exact but costs about 50 µs to compile a pattern and allocates a matcher per
// test, which made compiling 10,000 flags blow its 100 ms budget. So patterns written in a conservative subset of
// RE2, where RE2 and JavaScript agree, are translated into a native RegExp (with the `u` flag, so both work on code
// points); anything else (named groups, \p classes, \Q..\E, mid-pattern flags, large repeat counts, ...) goes to
// re2js as before. packages/core/test/engine/regex.test.ts checks the two engines agree on generated patterns and
// inputs, and the differential test checks the whole operator against unleash-client.
import { RE2JS } from 're2js';

/** A compiled pattern: a native RegExp or an re2js one, both answering `test(text)` like `matcher(text).find()`. */
export interface CompiledRegex {
  test(text: string): boolean;
}

/**
 * Compiles an RE2 pattern as unleash-client does; throws when RE2 rejects it (the constraint then never matches).
 * @example
 * compileRe2('^pro', false).test('professional'); // true
 */
export function compileRe2(pattern: string, caseInsensitive: boolean): CompiledRegex {
  const native = translateToNative(pattern, caseInsensitive);
  if (native !== undefined) {
    try {
      return new NativeRegex(new RegExp(native.source, native.flags), pattern, caseInsensitive);
    } catch {
      // JavaScript refused the translation: let re2js decide whether the pattern is valid
    }
  }
  return RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
}

/**
 * Why RE2 rejects a pattern (lookarounds, backreferences, …), or undefined when it compiles: flags files are
 * checked with the rules the engine evaluates with, not JavaScript's.
 * @example
 * re2Problem('^(?=a)'); // 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'
 */
export function re2Problem(pattern: string): string | undefined {
  try {
    compileRe2(pattern, false);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Context values longer than this are matched by re2js: with one variable quantifier a backtracking search costs
 * up to n² steps, which stays below a million here, while an attacker-sized value could otherwise cost far more.
 */
const MAX_NATIVE_INPUT = 1000;

/** A translated pattern; re2js (compiled on first need) takes over for long inputs. */
class NativeRegex implements CompiledRegex {
  private re2: RE2JS | undefined;

  constructor(
    // no `g` or `y` flag: test() keeps no state between calls, so one RegExp serves every evaluation
    private readonly regex: RegExp,
    private readonly pattern: string,
    private readonly caseInsensitive: boolean,
  ) {}

  test(text: string): boolean {
    if (text.length <= MAX_NATIVE_INPUT) return this.regex.test(text);
    this.re2 ??= RE2JS.compile(this.pattern, this.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    return this.re2.test(text);
  }
}

/** RE2's `.` is any character but `\n`; JavaScript's also stops at `\r`, U+2028 and U+2029. */
const ANY_BUT_NEWLINE = '[^\\n]';
/** RE2's `\s` is ASCII `[\t\n\f\r ]`; JavaScript's includes `\v` and Unicode spaces. */
const SPACE_CLASS_BODY = '\\t\\n\\f\\r ';
/** Repeat counts RE2 accepts and JavaScript treats the same; above this, re2js decides (RE2 caps them at 1000). */
const MAX_REPEAT = 100;

const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const CONTROL_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v' };

function literal(codePoint: number): string {
  // letters and digits as themselves, everything else as \u{...}: no escaping rules to get wrong
  const isAlphanumeric =
    (codePoint >= 0x30 && codePoint <= 0x39) ||
    (codePoint >= 0x41 && codePoint <= 0x5a) ||
    (codePoint >= 0x61 && codePoint <= 0x7a);
  return isAlphanumeric ? String.fromCodePoint(codePoint) : `\\u{${codePoint.toString(16)}}`;
}

function isAsciiPunctuation(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x80 && !/[0-9A-Za-z\s]/.test(char) && code > 0x20 && code !== 0x7f;
}

/**
 * The native equivalent of an RE2 pattern, or undefined when the pattern leaves the subset where the two agree.
 * @example
 * translateToNative('a.c', false); // { source: 'a[^\\n]c', flags: 'u' }
 */
export function translateToNative(
  pattern: string,
  caseInsensitive: boolean,
): { source: string; flags: string } | undefined {
  let position = 0;
  let foldCase = caseInsensitive;
  if (pattern.startsWith('(?i)')) {
    foldCase = true;
    position = 4;
  }
  const chars = Array.from(pattern.slice(position));
  // With case folding, RE2 and JavaScript agree on ASCII pattern text (both fold k/K/U+212A and s/S/U+017F), but
  // they differ on word boundaries and \W, and Unicode versions may differ on other letters.
  if (foldCase && chars.some((char) => char.codePointAt(0)! > 0x7e)) return undefined;
  // lone surrogates and U+FFFD: engines disagree on how they read broken UTF-16
  if (
    chars.some(
      (char) => (char.codePointAt(0)! >= 0xd800 && char.codePointAt(0)! <= 0xdfff) || char === '\ufffd',
    )
  ) {
    return undefined;
  }
  let out = '';
  let depth = 0;
  let canRepeat = false;
  // Linear time is RE2's promise and a backtracking engine can break it, so the fast path takes only patterns
  // whose backtracking stays small: at most one variable-length quantifier, and none on a group that holds a
  // quantifier or an alternation (`(a+)+`, `(a|aa)*`). Long inputs go to re2js anyway (see NativeRegex).
  let variableQuantifiers = 0;
  const quantifiedInGroup: boolean[] = [false];
  const alternationInGroup: boolean[] = [false];
  let lastWasGroup = false;
  let lastGroupIsRisky = false;
  const quantify = (variable: boolean): boolean => {
    if (lastWasGroup && lastGroupIsRisky) return false;
    quantifiedInGroup[depth] = true;
    return !variable || ++variableQuantifiers <= 1;
  };
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    switch (char) {
      case '\\': {
        const next = chars[++i];
        if (next === undefined) return undefined;
        if (CLASS_ESCAPES.has(next)) {
          if (foldCase && next === 'W') return undefined;
          out +=
            next === 's' ? `[${SPACE_CLASS_BODY}]` : next === 'S' ? `[^${SPACE_CLASS_BODY}]` : `\\${next}`;
          canRepeat = true;
        } else if (next === 'b' || next === 'B') {
          if (foldCase) return undefined;
          out += `\\${next}`;
          canRepeat = false;
        } else if (next in CONTROL_ESCAPES) {
          out += literal(CONTROL_ESCAPES[next].charCodeAt(0));
          canRepeat = true;
        } else if (isAsciiPunctuation(next)) {
          out += literal(next.charCodeAt(0));
          canRepeat = true;
        } else {
          return undefined;
        }
        break;
      }
      case '.':
        out += ANY_BUT_NEWLINE;
        canRepeat = true;
        break;
      case '^':
      case '$':
        out += char;
        canRepeat = false;
        break;
      case '|':
        out += '|';
        alternationInGroup[depth] = true;
        canRepeat = false;
        break;
      case '(': {
        if (chars[i + 1] === '?') {
          if (chars[i + 2] !== ':') return undefined;
          out += '(?:';
          i += 2;
        } else {
          out += '(';
        }
        depth++;
        quantifiedInGroup[depth] = false;
        alternationInGroup[depth] = false;
        canRepeat = false;
        break;
      }
      case ')':
        if (depth === 0) return undefined;
        lastGroupIsRisky = quantifiedInGroup[depth] || alternationInGroup[depth];
        depth--;
        if (quantifiedInGroup[depth + 1]) quantifiedInGroup[depth] = true;
        out += ')';
        canRepeat = true;
        lastWasGroup = true;
        continue;
      case '*':
      case '+':
      case '?': {
        if (!canRepeat || !quantify(true)) return undefined;
        out += char;
        if (chars[i + 1] === '?') {
          out += '?';
          i++;
        }
        // RE2 rejects a repetition of a repetition (`a**`, `a+*`); so does JavaScript, but stay out of it
        if (chars[i + 1] === '*' || chars[i + 1] === '+' || chars[i + 1] === '?' || chars[i + 1] === '{') {
          return undefined;
        }
        canRepeat = false;
        break;
      }
      case '{': {
        const close = chars.indexOf('}', i);
        if (!canRepeat || close === -1) return undefined;
        const body = chars.slice(i + 1, close).join('');
        const match = /^(\d{1,3})(,(\d{1,3})?)?$/.exec(body);
        if (match === null) return undefined;
        const min = Number(match[1]);
        const max = match[3] === undefined ? undefined : Number(match[3]);
        if (min > MAX_REPEAT || (max !== undefined && (max > MAX_REPEAT || max < min))) return undefined;
        if (!quantify(match[2] !== undefined && max !== min)) return undefined;
        out += `{${body}}`;
        i = close;
        if (chars[i + 1] === '?') {
          out += '?';
          i++;
        }
        if (chars[i + 1] === '*' || chars[i + 1] === '+' || chars[i + 1] === '?' || chars[i + 1] === '{') {
          return undefined;
        }
        canRepeat = false;
        break;
      }
      case '[': {
        const translated = translateClass(chars, i);
        if (translated === undefined) return undefined;
        out += translated.source;
        i = translated.end;
        canRepeat = true;
        break;
      }
      case '}':
      case ']':
        return undefined;
      default:
        out += literal(char.codePointAt(0)!);
        canRepeat = true;
    }
    lastWasGroup = false;
  }
  if (depth !== 0) return undefined;
  return { source: out, flags: foldCase ? 'iu' : 'u' };
}

/** Translates the class starting at `chars[start] === '['`; returns its source and the index of its `]`. */
function translateClass(chars: string[], start: number): { source: string; end: number } | undefined {
  let i = start + 1;
  let out = '[';
  if (chars[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  let items = 0;
  for (; i < chars.length; i++) {
    const char = chars[i];
    if (char === ']' && !first) {
      if (items === 0) return undefined;
      return { source: `${out}]`, end: i };
    }
    first = false;
    // POSIX classes ([:alpha:]) and nested classes are RE2-only
    if (char === '[') return undefined;
    let low: number;
    if (char === '\\') {
      const next = chars[++i];
      if (next === undefined) return undefined;
      if (next === 's') {
        out += SPACE_CLASS_BODY;
        items++;
        continue;
      }
      if (next === 'd' || next === 'w') {
        out += `\\${next}`;
        items++;
        continue;
      }
      if (next in CONTROL_ESCAPES) low = CONTROL_ESCAPES[next].charCodeAt(0);
      else if (isAsciiPunctuation(next)) low = next.charCodeAt(0);
      else return undefined;
    } else {
      low = char.codePointAt(0)!;
    }
    // a range `a-z` (a `-` first, last, or after a range is a literal dash)
    if (chars[i + 1] === '-' && chars[i + 2] !== undefined && chars[i + 2] !== ']') {
      let highChar = chars[i + 2];
      let skip = 2;
      if (highChar === '\\') {
        const escaped = chars[i + 3];
        if (escaped === undefined) return undefined;
        if (escaped in CONTROL_ESCAPES) highChar = CONTROL_ESCAPES[escaped];
        else if (isAsciiPunctuation(escaped)) highChar = escaped;
        else return undefined;
        skip = 3;
      } else if (highChar === '[') {
        return undefined;
      }
      const high = highChar.codePointAt(0)!;
      if (high < low) return undefined;
      out += `${literal(low)}-${literal(high)}`;
      i += skip;
    } else {
      out += literal(low);
    }
    items++;
  }
  return undefined;
}
