// Shared by the Koa adapter's tests: on/off flags as an Unleash payload.
import type { ClientFeaturesPayload } from '@flagwise/core';

export function onOff(flags: Record<string, boolean>): ClientFeaturesPayload {
  return {
    version: 2,
    features: Object.entries(flags).map(([name, enabled]) => ({
      name,
      enabled,
      strategies: [{ name: 'default', parameters: {}, constraints: [] }],
      variants: [],
    })),
  };
}
