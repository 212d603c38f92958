// The request's flags as template engines see them: the same flags (one state, one value per request) behind a
// Proxy with own-property semantics, as a plain object of flag values would have. Handlebars reads only an
// object's own properties by default, and views list the flags with `Object.keys(flags)` or spread them; the
// flags object itself keeps its flags on its prototype, where reads are fastest. Adapters give this view to
// views (`res.locals.flags`, `reply.locals.flags`, Koa's `ctx.state.flags`), and `forContext()` returns it.
import { snapshotOfFlags, VIEWED } from './flags-object.js';
import type { RequestFlags } from './request-flags.js';

/** Object.prototype's members keep their meaning; a flag with such a name is read with isEnabled(). */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

function notWritable(): never {
  throw new TypeError(
    'flags are read-only for a request: force a value with a QA override, or change the source (memorySource().set())',
  );
}

const handler: ProxyHandler<RequestFlags> = {
  // The flags themselves as the receiver: their accessors read the request's state from them. A plain keyed
  // read rather than Reflect.get, which takes V8's generic lookup on every read instead of its inline caches.
  get: (flags, key) => (key === VIEWED ? flags : (flags as unknown as Record<PropertyKey, unknown>)[key]),
  has: (flags, key) => typeof key === 'string' && key in flags,
  ownKeys: (flags) => [...(snapshotOfFlags(flags)?.propertyNames ?? [])],
  getOwnPropertyDescriptor(flags, key) {
    if (typeof key !== 'string' || OBJECT_MEMBERS.has(key)) return undefined;
    if (snapshotOfFlags(flags)?.aliases.has(key) !== true) return undefined;
    // ownKeys lists the camelCase names only; exact names answer `in` and own-property checks too.
    return { value: flags.isEnabled(key as never), writable: false, enumerable: true, configurable: true };
  },
  getPrototypeOf: () => Object.prototype,
  set: notWritable,
  defineProperty: notWritable,
  deleteProperty: notWritable,
};

/**
 * The view of a request's flags that templates get: own, enumerable flag properties over the same flags.
 * Objects not made by flagwise (a test double) are returned as they are.
 * @example res.locals.flags = templateView(req.flags);
 */
export function templateView(flags: RequestFlags): RequestFlags {
  return snapshotOfFlags(flags) === undefined
    ? flags
    : (new Proxy(flags as object, handler as ProxyHandler<object>) as RequestFlags);
}
