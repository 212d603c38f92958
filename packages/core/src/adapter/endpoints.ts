// What an adapter's mount of an endpoint needs besides the endpoint contract: the client behind a request's flags,
// and the message when the flags are missing.
import type { FlagsClient } from '../client/flags-client.js';
import { ConfigurationError } from '../errors.js';
import { hostOf } from '../request/flags-object.js';
import type { RequestFlags } from '../request/request-flags.js';

/**
 * The client that built a request's flags (`req.flags`), for adapters whose framework keeps no reference to it.
 * Undefined for objects flagwise did not make.
 * @example const client = clientOf(req.flags);
 */
export function clientOf<Request = unknown>(
  flags: RequestFlags | undefined,
): FlagsClient<Request> | undefined {
  return hostOf(flags)?.client as FlagsClient<Request> | undefined;
}

/** The message for an endpoint mounted where the request has no flags: say what to add, and where. */
export function flagsMissingError(endpointName: string, fix: string): ConfigurationError {
  return new ConfigurationError(`${endpointName} found no flags on the request: ${fix}`);
}
