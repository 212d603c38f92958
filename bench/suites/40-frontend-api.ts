// The Unleash Frontend API endpoint's own cost, without HTTP: one answer for one user (20 browser flags among
// 1,000 definitions: rollouts with a constraint, half with variants), against the same shape by hand — evaluate
// each browser flag with the client, build the toggles, JSON and a SHA-1 ETag.
import { createHash } from 'node:crypto';
import { createFlags, type FeatureDefinition, frontendApiEndpoint, memorySource } from '@flagwise/core';
import type { BenchSection } from '../run.js';

function flag(name: string, browser: boolean, i: number): FeatureDefinition {
  return {
    name,
    enabled: true,
    browser,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: String(40 + (i % 60)), stickiness: 'default', groupId: name },
        constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro', 'team'] }],
      },
    ],
    variants:
      i % 2 === 0
        ? [
            { name: 'a', weight: 500, weightType: 'variable', stickiness: 'default' },
            { name: 'b', weight: 500, weightType: 'variable', stickiness: 'default' },
          ]
        : [],
  };
}

const features = Array.from({ length: 1000 }, (_, i) => flag(`flag-${i}`, i % 50 === 0, i));
const contexts = Array.from({ length: 256 }, (_, i) => ({
  userId: `user-${i}`,
  properties: { plan: i % 3 === 0 ? 'free' : 'pro' },
}));

async function measure(rounds = 7, batch = 4_000): Promise<{ endpoint: number; byHand: number }> {
  const client = createFlags({ source: memorySource({ version: 2, features }) });
  await client.ready();
  const endpoint = frontendApiEndpoint();
  const browserNames = client.names().filter((name) => client.feature(name)?.browser === true);
  const query = new URLSearchParams();
  const noBody = async () => undefined;
  let sink = 0;
  const viaEndpoint = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const response = await endpoint.handle({
        method: 'GET',
        path: '/',
        query,
        headers: {},
        readBody: noBody,
        secure: false,
        request: {},
        flags: client.forContext(contexts[i & 255]),
        client,
      });
      sink += response?.body?.length ?? 0;
    }
  };
  const byHand = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const context = contexts[i & 255];
      const toggles = [];
      for (const name of browserNames) {
        const variant = client.getVariant(name, context);
        if (!variant.feature_enabled) continue;
        toggles.push({
          name,
          enabled: true,
          variant: { name: variant.name, enabled: variant.enabled, feature_enabled: true },
          impressionData: false,
        });
      }
      const body = JSON.stringify({ toggles });
      const etag = createHash('sha1').update(body).digest('base64url');
      sink += body.length + etag.length;
    }
  };
  await viaEndpoint(batch);
  await byHand(batch);
  const endpointSamples: number[] = [];
  const handSamples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Interleaved, so drift on a shared machine hits both alike.
    let start = process.hrtime.bigint();
    await viaEndpoint(batch);
    endpointSamples.push(Number(process.hrtime.bigint() - start) / batch);
    start = process.hrtime.bigint();
    await byHand(batch);
    handSamples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  await client.close();
  if (sink === -1) console.log(sink);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { endpoint: median(endpointSamples), byHand: median(handSamples) };
}

export default async function frontendApiBench(): Promise<BenchSection> {
  const { endpoint, byHand } = await measure();
  return {
    title: 'Unleash Frontend API: one answer for one user, without HTTP',
    markdown: [
      '| | µs per answer |',
      '| --- | ---: |',
      `| \`frontendApiEndpoint().handle()\` | ${(endpoint / 1000).toFixed(1)} |`,
      `| the same shape by hand (getVariant per flag, JSON, SHA-1) | ${(byHand / 1000).toFixed(1)} |`,
      '',
      `Endpoint vs by hand: ${(endpoint / byHand).toFixed(2)}× (medians of 7 interleaved batches of 4,000 answers).`,
      '20 browser flags among 1,000 definitions; each a flexibleRollout with an IN constraint, half with two variants.',
    ].join('\n'),
  };
}
