// Where an endpoint is mounted, and the part of a request's URL below it: the same for every framework.
import { ConfigurationError } from '../errors.js';

/**
 * A mount prefix in one form: a leading '/', no trailing '/' ('' for the root).
 * @example normalizePrefix('_flags/') // '/_flags'
 */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string') {
    throw new ConfigurationError(`the mount prefix must be a path such as '/_flags'; got ${String(prefix)}`);
  }
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * The part of `url` (path and query) below `prefix` (normalized), or undefined when `url` is not under it.
 * @example urlBelow('/_flags/api?x=1', '/_flags') // '/api?x=1'
 */
export function urlBelow(url: string, prefix: string): string | undefined {
  if (prefix === '') return url.startsWith('/') ? url : `/${url}`;
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length);
  if (rest === '') return '/';
  if (rest[0] === '/') return rest;
  if (rest[0] === '?') return `/${rest}`;
  return undefined;
}

/**
 * The part of `url` below a mount point, for routers that hand over what a wildcard matched instead of the mount
 * path (Nest's controllers): the last segments of the raw path, as many as `rest` has (undefined or '' → '/').
 * @example urlFromWildcard('/api/_flags/a/b?x=1', 'a/b') // '/a/b?x=1'
 */
export function urlFromWildcard(url: string, rest: string | string[] | undefined): string {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query = at < 0 ? '' : url.slice(at);
  const count =
    rest === undefined ? 0 : (Array.isArray(rest) ? rest : rest.split('/')).filter(Boolean).length;
  const segments = path.split('/').filter(Boolean);
  const below = count === 0 ? '' : segments.slice(-count).join('/');
  const trailing = count > 0 && path.endsWith('/') ? '/' : '';
  return `/${below}${trailing}${query}`;
}

/** Path and query of a URL below a mount point: `'/api?x=1'` → `{ path: '/api', query }`. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  return {
    path: path === '' ? '/' : path,
    query: new URLSearchParams(at < 0 ? '' : url.slice(at + 1)),
  };
}

/**
 * A mount point's path as an endpoint names it: '' for the root, else a leading '/' and no trailing one.
 * @example normalizeMountPath('/features/') // '/features'
 */
export function normalizeMountPath(path: string | undefined): string {
  if (path === undefined) return '';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * The mount point's path: the request's path without the part below the mount point.
 * @example mountPathOf('/api/features/ofrep/v1/events?x=1', '/ofrep/v1/events') // '/api/features'
 */
export function mountPathOf(originalUrl: string, below: string): string {
  const full = splitUrl(originalUrl).path;
  const rest = splitUrl(below).path;
  if (rest === '/') return normalizeMountPath(full);
  return full.endsWith(rest) ? normalizeMountPath(full.slice(0, full.length - rest.length)) : '';
}
