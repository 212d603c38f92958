// The host names an app is reached by, for endpoints that answer only those. A page on another name that resolves
// to the app's address (DNS rebinding) sends its own name in Host; an address-based check such as
// `allow: (req) => req.ip === '127.0.0.1'` cannot tell it from the app's own page, the Host can.

import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { hostname as machineHostname } from 'node:os';
import { ConfigurationError } from '../errors.js';
import { headerText } from './headers.js';

/** A name as the `hosts` option takes it: `admin.example.com`, or `*.example.com` for every name below. */
const NAME_PATTERN = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** The names one endpoint answers. */
export interface AppHostNames {
  /**
   * The first name of the request (Host, then each X-Forwarded-Host a proxy added) that is not the app's, or
   * undefined when every one is. A request without a Host is refused as `''`.
   */
  foreignName(headers: IncomingHttpHeaders): string | undefined;
  /** the names, for messages: `localhost, *.localhost, IP addresses, web-1, admin.example.com` */
  readonly description: string;
}

/**
 * The names the app is reached by: `localhost` and every name below it, any IP address, this machine's host
 * name (and `<name>.local` when it has no domain), and the names the app lists (`hosts`), where a name that
 * starts with `*.` stands for every name below it. Throws a ConfigurationError for a list that is not names.
 * @example
 * const names = appHostNames(['admin.example.com'], 'flagsDashboard({ hosts })');
 * names.foreignName({ host: 'admin.example.com:8443' }); // undefined: the app's own
 * names.foreignName({ host: 'rebound.example:8443' });   // 'rebound.example'
 */
export function appHostNames(hosts: unknown, where: string): AppHostNames {
  if (hosts !== undefined && (!Array.isArray(hosts) || !hosts.every((name) => typeof name === 'string'))) {
    throw new ConfigurationError(
      `${where}: hosts must be a list of the host names the app is reached by, e.g. ['admin.example.com', '*.example.com']`,
    );
  }
  const exact = new Set<string>(['localhost']);
  const suffixes = ['.localhost'];
  const machine = normalizeName(machineHostname());
  if (machine !== '') {
    exact.add(machine);
    if (!machine.includes('.')) exact.add(`${machine}.local`);
  }
  for (const given of (hosts as string[] | undefined) ?? []) {
    const name = normalizeName(given);
    if (!NAME_PATTERN.test(name)) {
      throw new ConfigurationError(
        `${where}: "${given}" is not a host name; list names only, without scheme, port or path, ` +
          "e.g. hosts: ['admin.example.com'] (or '*.example.com' for every name below it)",
      );
    }
    if (name.startsWith('*.')) suffixes.push(name.slice(1));
    else exact.add(name);
  }
  const isOwn = (name: string) =>
    exact.has(name) || isIP(name) !== 0 || suffixes.some((suffix) => name.endsWith(suffix));
  return {
    foreignName(headers) {
      const host = headerText(headers.host);
      if (host === undefined || host === '') return '';
      const names = [host, ...(headerText(headers['x-forwarded-host'])?.split(',') ?? [])];
      for (const value of names) {
        const name = nameOf(value);
        if (!isOwn(name)) return name;
      }
      return undefined;
    },
    description: [
      'localhost',
      '*.localhost',
      'IP addresses',
      ...[...exact].slice(1),
      ...suffixes.slice(1).map((s) => `*${s}`),
    ].join(', '),
  };
}

/** The name of a Host header value: without the port, the brackets of an IPv6 address, or a final dot. */
function nameOf(value: string): string {
  const text = value.trim();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    return end < 0 ? text : text.slice(1, end);
  }
  const colon = text.lastIndexOf(':');
  // A second colon means an IPv6 address without brackets, which has no port.
  const withoutPort = colon >= 0 && text.indexOf(':') === colon ? text.slice(0, colon) : text;
  return normalizeName(withoutPort);
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
