// What the rows' `/telemetry` route answers: the flags one request reads, as the telemetry table asks, and a
// failure for one variant. One copy, imported by every row.
import type { RequestFlags } from '@flagwise/core';

/** The error the route throws for the variant named in `failOn`: the framework answers it with a 500. */
export class VariantFailure extends Error {
  override name = 'VariantFailure';
}

/**
 * Reads each flag of `query.enabled` (comma-separated) with isEnabled() and `query.variant` with variant(); throws
 * a VariantFailure when that variant is `query.failOn`. Nothing in the query: nothing read.
 * @example readForTelemetry(req.flags, { enabled: 'always-on,pro-only', variant: 'experiment', failOn: 'b' })
 */
export function readForTelemetry(
  flags: RequestFlags,
  query: Record<string, unknown>,
): Record<string, unknown> {
  const read: Record<string, unknown> = {};
  const enabled = typeof query.enabled === 'string' && query.enabled !== '' ? query.enabled.split(',') : [];
  for (const name of enabled) read[name] = flags.isEnabled(name as never);
  if (typeof query.variant === 'string') {
    const variant = flags.variant(query.variant as never).name;
    read[query.variant] = variant;
    if (variant === query.failOn) throw new VariantFailure(`variant ${variant} fails`);
  }
  return read;
}
