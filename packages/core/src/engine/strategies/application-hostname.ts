// `applicationHostname`: on for the listed host names (unleash-client
// lib/strategy/application-hostname-strategy.js). The host name is fixed for the process, so the answer is a
// constant.
import { hostname } from 'node:os';
import { ALWAYS_FALSE, ALWAYS_TRUE } from '../constraints.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { listParameter } from './parameters.js';

export const applicationHostnameStrategy: BuiltInStrategy = {
  name: 'applicationHostname',
  compile(parameters, field, env) {
    const hostNames = listParameter(parameters.hostNames, `${field}.hostNames`, '');
    if (hostNames === undefined) return ALWAYS_FALSE;
    return hostNames.map((name) => name.toLowerCase()).includes(env.hostname()) ? ALWAYS_TRUE : ALWAYS_FALSE;
  },
};

/**
 * Unleash's host name for `applicationHostname`: `HOSTNAME`, else the OS host name, lower-cased.
 * @example
 * currentHostname(); // 'web-1'
 */
export function currentHostname(): string {
  return (process.env.HOSTNAME || hostname() || 'undefined').toLowerCase();
}
