import { FlagsFileError, parseFlagsFile } from '@flagwise/core';
import { describe, expect, it } from 'vitest';

describe('expires and owner in the flags file', () => {
  it('are accepted and do not change the definition', () => {
    const text =
      'flags:\n  new-pricing:\n    rollout: 20\n    expires: 2027-03-31\n    owner: team-pricing\n';
    const plain = parseFlagsFile('flags:\n  new-pricing:\n    rollout: 20\n', 'flags.yaml');
    expect(parseFlagsFile(text, 'flags.yaml').definitions).toEqual(plain.definitions);
  });

  it('rejects an expiry that is not a date, with its line', () => {
    const text = 'flags:\n  new-pricing:\n    expires: next week\n';
    const error = (() => {
      try {
        parseFlagsFile(text, 'flags.yaml');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(FlagsFileError);
    expect((error as FlagsFileError).line).toBe(3);
    expect((error as FlagsFileError).message).toContain(
      'new-pricing.expires must be a date such as 2027-03-31',
    );
  });

  it('rejects a calendar date that does not exist', () => {
    expect(() => parseFlagsFile('flags:\n  a:\n    expires: 2027-02-31x\n', 'flags.yaml')).toThrow(
      /must be a date/,
    );
    expect(() => parseFlagsFile('flags:\n  a:\n    expires: 2027-02-31\n', 'flags.yaml')).toThrow(
      /real calendar date/,
    );
  });
});
