// An Unleash environment export names segments without their constraints. Read from a real file, a strategy
// that uses such a segment must fail closed (match no one), and the load must name the segment.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../../test/support/logging.js';
import { directoryPerTest } from '../../../../test/support/sources.js';
import { createFlags } from '../../src/client/flags-client.js';
import { fileSource } from '../../src/sources/index.js';

const scratch = directoryPerTest();

const exported = {
  features: [{ name: 'beta-banner', type: 'release', project: 'default' }],
  featureStrategies: [
    { id: 's1', name: 'default', featureName: 'beta-banner', environment: 'production', segments: [7] },
  ],
  featureEnvironments: [{ featureName: 'beta-banner', environment: 'production', enabled: true }],
  segments: [{ id: 7, name: 'beta-users' }],
};

describe('an Unleash export whose segments carry no constraints', () => {
  it('fails closed: the strategy using the segment matches no one, and the segment is named', async () => {
    const path = join(scratch.dir, 'export.json');
    await writeFile(path, JSON.stringify(exported, null, 2));
    const { logger, lines } = recordingLogger();
    const client = createFlags({ source: fileSource(path, { watch: false }), logger });
    await client.ready({ timeoutMs: 2000 });
    for (const context of [{}, { userId: 'anyone' }, { properties: { plan: 'pro' } }]) {
      expect(client.isEnabled('beta-banner', context)).toBe(false);
    }
    expect(client.explain('beta-banner', {}).reason).toBe('no-strategy-matched');
    const warnings = lines.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings.some((message) => message.includes('segment 7 "beta-users"'))).toBe(true);
    await client.close();
  });
});
