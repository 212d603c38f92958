// Opt-in typing for `req.flags`: add `import type {} from '@flagwise/express/env'` to one file of your app
// (or "types": ["@flagwise/express/env"] in tsconfig.json). Flag names are checked when you declare them in
// core's FlagRegistry.
import type { RequestFlags } from '@flagwise/core';

declare global {
  namespace Express {
    interface Request {
      /** this request's flags, set by featureFlags(): lazy, memoized, camelCase properties */
      flags: RequestFlags;
    }
  }
}
