// Where an endpoint is mounted and the part of a URL below it, the same for every framework.
import { describe, expect, it } from 'vitest';
import { normalizePrefix, splitUrl, urlBelow, urlFromWildcard } from '../../src/endpoint/paths.js';

describe('mount paths', () => {
  it('normalizes a prefix to a leading slash and no trailing one', () => {
    expect(normalizePrefix('_flags')).toBe('/_flags');
    expect(normalizePrefix('/_flags/')).toBe('/_flags');
    expect(normalizePrefix('/')).toBe('');
    expect(() => normalizePrefix(undefined as never)).toThrow(/mount prefix must be a path/);
  });

  it('finds the URL below a prefix, and only below it', () => {
    expect(urlBelow('/_flags', '/_flags')).toBe('/');
    expect(urlBelow('/_flags?x=1', '/_flags')).toBe('/?x=1');
    expect(urlBelow('/_flags/api/state?x=1', '/_flags')).toBe('/api/state?x=1');
    expect(urlBelow('/_flagsx', '/_flags')).toBeUndefined();
    expect(urlBelow('/other', '/_flags')).toBeUndefined();
    expect(urlBelow('/any', '')).toBe('/any');
  });

  it('takes as many raw segments as a wildcard matched', () => {
    expect(urlFromWildcard('/api/_flags/a/b?x=1', 'a/b')).toBe('/a/b?x=1');
    expect(urlFromWildcard('/_flags/a%20b', 'a b')).toBe('/a%20b');
    expect(urlFromWildcard('/_flags/a/b/', ['a', 'b'])).toBe('/a/b/');
    expect(urlFromWildcard('/_flags/', undefined)).toBe('/');
  });

  it('splits path and query', () => {
    const { path, query } = splitUrl('/api?flag=a&flag=b');
    expect(path).toBe('/api');
    expect(query.getAll('flag')).toEqual(['a', 'b']);
    expect(splitUrl('').path).toBe('/');
  });
});
