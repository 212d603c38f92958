// The native fast path for REGEX constraints must agree with re2js, the engine unleash-client uses, on every
// pattern it accepts: generated patterns from a grammar that reaches every construct the translator knows (and
// some it must refuse), tested on inputs full of the characters where RE2 and JavaScript differ.
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileRe2, translateToNative } from '../../src/engine/regex.js';

const atoms = fc.constantFrom(
  'a',
  'b',
  'k',
  's',
  'K',
  'S',
  'z',
  '0',
  '9',
  '_',
  '-',
  '@',
  ' ',
  'é',
  'ß',
  'ſ',
  'K',
  '😀',
  '日',
  '.',
  '\\d',
  '\\D',
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '\\b',
  '\\B',
  '\\.',
  '\\-',
  '\\\\',
  '\\t',
  '\\n',
  '\\r',
  '\\v',
  '\\f',
  '[a-z]',
  '[^a-z]',
  '[a-]',
  '[-a]',
  '[]a]',
  '[^]a]',
  '[\\d_]',
  '[\\s]',
  '[\\w-]',
  '[%--]',
  '[A-z]',
  '[^\\w]',
  '[.]',
  '[ſ]',
  '[k-s]',
  '(?:ab)',
  '(a|b)',
  '^',
  '$',
);
// RE2-only or invalid syntax: the translator must refuse it, and re2js then decides
const exoticAtoms = fc.constantFrom(
  '\\p{Greek}',
  '\\Q.\\E',
  '[[:alpha:]]',
  '\\1',
  '\\x41',
  '\\A',
  '\\z',
  '(?i)',
  '{',
  '(?P<n>a)',
);
const quantifiers = fc.constantFrom(
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '*',
  '+',
  '?',
  '*?',
  '+?',
  '??',
  '{2}',
  '{1,3}',
  '{0,}',
  '{2,1}',
  '{,2}',
  '**',
  '{101}',
);
const piece = fc
  .tuple(fc.oneof({ arbitrary: atoms, weight: 12 }, { arbitrary: exoticAtoms, weight: 1 }), quantifiers)
  .map(([atom, quantifier]) => atom + quantifier);
const sequence = fc.array(piece, { minLength: 0, maxLength: 5 }).map((pieces) => pieces.join(''));
const pattern = fc
  .tuple(
    fc.constantFrom('', '', '(?i)', '^', '(?s)'),
    sequence,
    fc.constantFrom('', '', '', '|', '|', '$', ')', '('),
    sequence,
  )
  .map(([prefix, a, middle, b]) => prefix + a + middle + b);
const inputChar = fc.constantFrom(
  'a',
  'b',
  'k',
  's',
  'K',
  'S',
  'z',
  'Z',
  '0',
  '9',
  '_',
  '-',
  '@',
  '.',
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u2028',
  '\u2029',
  'é',
  'É',
  'ß',
  'ẞ',
  'ſ',
  'K',
  'K',
  '😀',
  '日',
  ']',
  '%',
  '\\',
);
const input = fc.array(inputChar, { maxLength: 8 }).map((chars) => chars.join(''));

function re2Test(source: string, caseInsensitive: boolean): ((text: string) => boolean) | 'invalid' {
  try {
    const regex = RE2JS.compile(source, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    return (text) => regex.matcher(text).find();
  } catch {
    return 'invalid';
  }
}

describe('REGEX constraints: native translation agrees with re2js', () => {
  it('on generated patterns and inputs (validity and every match)', () => {
    let translated = 0;
    fc.assert(
      fc.property(
        pattern,
        fc.boolean(),
        fc.array(input, { minLength: 6, maxLength: 6 }),
        (source, caseInsensitive, texts) => {
          const reference = re2Test(source, caseInsensitive);
          let ours: ((text: string) => boolean) | 'invalid';
          try {
            const compiled = compileRe2(source, caseInsensitive);
            ours = (text) => compiled.test(text);
          } catch {
            ours = 'invalid';
          }
          if (translateToNative(source, caseInsensitive) !== undefined) translated++;
          expect(ours === 'invalid', `validity of /${source}/ (caseInsensitive ${caseInsensitive})`).toBe(
            reference === 'invalid',
          );
          if (ours === 'invalid' || reference === 'invalid') return;
          for (const text of texts) {
            expect(
              ours(text),
              `/${source}/ on ${JSON.stringify(text)} (caseInsensitive ${caseInsensitive})`,
            ).toBe(reference(text));
          }
        },
      ),
      { numRuns: 5000, seed: 20261122 },
    );
    // the fast path must actually be exercised, not skipped
    expect(translated).toBeGreaterThan(500);
  });

  it('translates common patterns and leaves RE2-only syntax to re2js', () => {
    expect(translateToNative('^[a-z0-9._%+-]+@example\\.com$', false)).toBeDefined();
    expect(translateToNative('a.c', false)).toEqual({ source: 'a[^\\n]c', flags: 'u' });
    expect(translateToNative('(?P<name>x)', false)).toBeUndefined();
    expect(translateToNative('\\pL', false)).toBeUndefined();
    expect(translateToNative('(a{100}){100}', false)).toBeUndefined();
    // backtracking hazards stay with re2js, which is linear-time
    for (const risky of ['(a+)+$', '(a|aa)*b', 'a*a*b', '^(\\w+\\s?)*$', 'x?x?x?xxx', '(.*a){3}']) {
      expect(translateToNative(risky, false), risky).toBeUndefined();
    }
    expect(translateToNative('ÆØÅ', true)).toBeUndefined();
  });

  it('matches long inputs with re2js, with the same answers', () => {
    const long = `${'a'.repeat(5000)}@example.com`;
    for (const source of ['@example\\.com$', '^a+@', 'b+', '^[a-z]+$']) {
      expect(compileRe2(source, false).test(long), source).toBe(RE2JS.compile(source).matcher(long).find());
    }
  });

  it('rejects what RE2 rejects, even where JavaScript would accept it', () => {
    for (const source of ['(?=x)', 'a(?!b)', '(a)\\1', '[', 'a{2,1}', 'x**']) {
      expect(() => compileRe2(source, false), source).toThrow();
    }
  });
});
