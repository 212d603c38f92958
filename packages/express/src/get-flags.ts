import { ConfigurationError, type RequestFlags } from '@flagwise/core';
import type { Request } from 'express';

/**
 * The request's flags, for code that prefers an accessor to `req.flags` (or has no type augmentation).
 * Throws when `featureFlags()` did not run for this request, saying how to fix it.
 * @example
 * app.get('/pricing', (req, res) => res.json({ newPricing: getFlags(req).newPricing }));
 */
export function getFlags(req: Request): RequestFlags {
  const flags = flagsOf(req);
  if (flags === undefined) {
    throw new ConfigurationError(
      'getFlags(req): req.flags is not set; add `app.use(featureFlags())` before the routes that read flags',
    );
  }
  return flags;
}

/** `req.flags`, or undefined when `featureFlags()` did not run for this request. */
export function flagsOf(req: Request): RequestFlags | undefined {
  const flags = (req as Request & { flags?: RequestFlags | null }).flags;
  // A plain object check: isRequestFlags() would go through a Proxy trap on every call.
  return typeof flags === 'object' && flags !== null ? flags : undefined;
}
