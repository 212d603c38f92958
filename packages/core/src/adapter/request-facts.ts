// What adapters read from a framework's request, the same way everywhere.

/**
 * Does a framework's trust-proxy setting (Express `trust proxy`) trust any proxy? When it does not, the client
 * IP is the socket's address, read directly: the framework would parse X-Forwarded-For only to ignore it.
 * @example const ip = trustsProxy(req.app.get('trust proxy')) ? req.ip : req.socket.remoteAddress;
 */
export function trustsProxy(setting: unknown): boolean {
  return !(setting === false || setting === undefined || setting === 0);
}

/** A header that may arrive as a list, as one string. */
export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('; ') : value;
}
