// What adapters read from a framework's request, the same way everywhere.

/**
 * Does a framework's trust-proxy setting (Express `trust proxy`) trust any proxy? When it does not, the client
 * IP is the socket's address, read directly: the framework would parse X-Forwarded-For only to ignore it.
 * @example const ip = trustsProxy(req.app.get('trust proxy')) ? req.ip : req.socket.remoteAddress;
 */
export function trustsProxy(setting: unknown): boolean {
  return !(setting === false || setting === undefined || setting === 0);
}

/**
 * Reads fields that auth and session middleware add to a Node request (`user`, `session`, `sessionID`). Most
 * requests lack them, and a missing field is looked up through IncomingMessage's long prototype chain, which V8
 * does not cache for Express's requests. Own fields (what passport, express-session and Nest's AuthGuard set)
 * are read directly; the chain only when the request's prototype defines the field (a getter a plugin put
 * there), checked once per prototype.
 * @example
 * const added = new OptionalFields(['user', 'session', 'sessionID']);
 * const user = added.read(req, 'user');
 */
export class OptionalFields<Name extends string> {
  private prototype: object | null | undefined = undefined;
  private inherited: ReadonlySet<string> = new Set();

  constructor(private readonly names: readonly Name[]) {}

  /** The request's field, or undefined when neither the request nor its prototype chain has it. */
  read(request: object, name: Name): unknown {
    if (Object.hasOwn(request, name)) return (request as Record<string, unknown>)[name];
    const prototype = Object.getPrototypeOf(request) as object | null;
    if (prototype !== this.prototype) {
      this.prototype = prototype;
      this.inherited = new Set(prototype === null ? [] : this.names.filter((field) => field in prototype));
    }
    return this.inherited.has(name) ? (request as Record<string, unknown>)[name] : undefined;
  }
}
