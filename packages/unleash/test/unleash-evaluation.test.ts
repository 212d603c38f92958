// The Unleash 8 payload (segments, strategy and feature variants, dependencies, impressionData), served by a
// loopback server and read through unleashSource: flagwise's answers must equal what unleash-client 6.12.1
// answered for the same payload and contexts, and flags with impressionData raise Unleash-shaped impressions.
import type { ImpressionEvent } from '@flagwise/core';
import { describe, expect, it } from 'vitest';
import expected from '../../../test/fixtures/unleash/unleash-client-features.expected.json' with {
  type: 'json',
};
import features from '../../../test/fixtures/unleash/unleash-client-features.json' with { type: 'json' };
import { unleashSource } from '../src/index.js';
import { clientOnLoopback, itAnswersAsUnleashClient } from './helpers/expected-answers.js';

const TOKEN = 'default:production.evaluation-test';

describe('unleashSource evaluates as unleash-client does', () => {
  const served = clientOnLoopback(
    (request) =>
      request.headers.authorization === TOKEN && request.path.startsWith('/api/client/features')
        ? { status: 200, body: features, headers: { etag: '"evaluation:1:v1"' } }
        : { status: 202 },
    (url) =>
      unleashSource({
        url: `${url}/api`,
        apiToken: TOKEN,
        appName: expected.staticContext.appName,
        backupPath: false,
        metrics: false,
      }),
    expected,
  );

  itAnswersAsUnleashClient(expected, () => served.flags, 100);

  it('raises impression events in Unleash’s shape for flags with impressionData', () => {
    const seen: ImpressionEvent[] = [];
    const listener = (event: ImpressionEvent) => seen.push(event);
    served.flags.on('impression', listener);
    try {
      served.flags.isEnabled('holiday_banner', { userId: '13', properties: { country: 'SE' } });
      served.flags.getVariant('holiday_banner', { userId: '13', properties: { country: 'SE' } });
      served.flags.isEnabled('dark_mode', { userId: '13' });
    } finally {
      served.flags.off('impression', listener);
    }
    expect(seen.map((event) => [event.eventType, event.featureName])).toEqual([
      ['isEnabled', 'holiday_banner'],
      ['getVariant', 'holiday_banner'],
    ]);
    expect(seen[0]?.context).toMatchObject({ userId: '13', appName: 'demo-app', environment: 'default' });
    expect(typeof seen[1]?.variant).toBe('string');
  });
});
