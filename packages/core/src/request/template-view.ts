// The request's flags as template engines see them: the same flags (one state, one value per request) behind a
// Proxy with own-property semantics, as a plain object of flag values would have. Handlebars reads only an
// object's own properties by default, and views list the flags with `Object.keys(flags)` or spread them; the
// flags object itself keeps its flags on its prototype, where reads are fastest. Adapters give this view to
// views (`res.locals.flags`, `reply.locals.flags`, Koa's `ctx.state.flags`), and `forContext()` returns it.
import type { FlagHandle } from '../engine/index.js';
import type { FlagsSnapshot } from '../snapshot/snapshot.js';
import { flagPropertyReader, notWritable, snapshotOfFlags, VIEWED } from './flags-object.js';
import type { RequestFlags } from './request-flags.js';

/** Object.prototype's members keep their meaning; a flag with such a name is read with isEnabled(). */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * The view's handler for the flags of one snapshot. A read finds a flag property in the snapshot's `properties`
 * (the names the flags' accessors are defined for) and answers as that accessor does. A keyed read `flags[key]`
 * gives the same answer, but its key changes from read to read, so V8 runs it through its megamorphic lookup and
 * then its generic one for an accessor on the prototype: about a third of the cost of a read through the view.
 */
function viewHandler(snapshot: FlagsSnapshot): ProxyHandler<RequestFlags> {
  const properties = snapshot.properties;
  const read = flagPropertyReader(snapshot);
  return {
    get(flags, key) {
      if (typeof key === 'string') {
        const flag: FlagHandle | undefined = properties.get(key);
        if (flag !== undefined) return read(flags, flag);
        // The members views call, read by name for the same reason.
        if (key === 'variant') return flags.variant;
        if (key === 'isEnabled') return flags.isEnabled;
      }
      // Other members, Object.prototype's, and unknown names (warned about by the flags) as the flags answer them.
      return key === VIEWED ? flags : (flags as unknown as Record<PropertyKey, unknown>)[key];
    },
    has: (flags, key) => typeof key === 'string' && key in flags,
    ownKeys: () => [...snapshot.propertyNames],
    getOwnPropertyDescriptor(flags, key) {
      if (typeof key !== 'string' || OBJECT_MEMBERS.has(key)) return undefined;
      if (!snapshot.aliases.has(key)) return undefined;
      // ownKeys lists the camelCase names only; exact names answer `in` and own-property checks too.
      return { value: flags.isEnabled(key as never), writable: false, enumerable: true, configurable: true };
    },
    getPrototypeOf: () => Object.prototype,
    set: notWritable,
    defineProperty: notWritable,
    deleteProperty: notWritable,
  };
}

/**
 * Each snapshot's view handler, made at its first view. The last one is kept at hand for the next request, and
 * keeps its snapshot referenced until a view of another snapshot is made.
 */
const handlers = new WeakMap<FlagsSnapshot, ProxyHandler<RequestFlags>>();
let lastSnapshot: FlagsSnapshot | undefined;
let lastHandler: ProxyHandler<RequestFlags> | undefined;

function handlerOf(snapshot: FlagsSnapshot): ProxyHandler<RequestFlags> {
  if (snapshot === lastSnapshot) return lastHandler!;
  let handler = handlers.get(snapshot);
  if (handler === undefined) handlers.set(snapshot, (handler = viewHandler(snapshot)));
  lastSnapshot = snapshot;
  lastHandler = handler;
  return handler;
}

/**
 * The view of a request's flags that templates get: own, enumerable flag properties over the same flags.
 * Objects not made by flagwise (a test double) are returned as they are.
 * @example res.locals.flags = templateView(req.flags);
 */
export function templateView(flags: RequestFlags): RequestFlags {
  const snapshot = snapshotOfFlags(flags);
  return snapshot === undefined
    ? flags
    : (new Proxy(flags as object, handlerOf(snapshot) as ProxyHandler<object>) as RequestFlags);
}
