import { ConfigurationError, isRequestFlags, type RequestFlags } from '@flagwise/core';
import type { Request } from 'express';

/**
 * The request's flags, for code that prefers an accessor to `req.flags` (or has no type augmentation).
 * Throws when `featureFlags()` did not run for this request, saying how to fix it.
 * @example
 * app.get('/pricing', (req, res) => res.json({ newPricing: getFlags(req).newPricing }));
 */
export function getFlags(req: Request): RequestFlags {
  const flags = (req as Request & { flags?: unknown }).flags;
  if (!isRequestFlags(flags)) {
    throw new ConfigurationError(
      'getFlags(req): req.flags is not set; add `app.use(featureFlags())` before the routes that read flags',
    );
  }
  return flags;
}
