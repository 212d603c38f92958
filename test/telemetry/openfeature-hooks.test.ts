// OpenFeature's own telemetry hooks (@openfeature/open-telemetry-hooks) on the flagwise provider, through the real
// OpenTelemetry SDK: they record the attributes flagwise's telemetry records for the same flags (key, variant,
// reason, provider, set), each OpenFeature evaluation is recorded once even with flagwise's telemetry on, and
// OpenFeature's track() reaches flagwise as a conversion.
import { createFlags, type FlagsClient, memorySource } from '@flagwise/core';
import { FlagwiseProvider } from '@flagwise/openfeature';
import { SpanEventHook } from '@openfeature/open-telemetry-hooks';
import { OpenFeature } from '@openfeature/server-sdk';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const spans = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
const tracer = trace.getTracer('openfeature-hooks-test');
const FLAGS = {
  beta: { users: ['ada'] },
  'checkout-copy': { variants: { short: 50, long: 50 } },
};

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

let client: FlagsClient;
afterEach(async () => {
  OpenFeature.clearHooks();
  await OpenFeature.close();
  await client?.close();
  spans.reset();
});

/** Runs `body` in a span and answers the `feature_flag.evaluation` events (and others) recorded on it. */
async function eventsOf(body: () => Promise<void> | void) {
  await tracer.startActiveSpan('request', async (span) => {
    await body();
    span.end();
  });
  return spans.getFinishedSpans().flatMap((span) => span.events);
}

const pick = (attributes: Record<string, unknown> | undefined) => ({
  key: attributes?.['feature_flag.key'],
  variant: attributes?.['feature_flag.result.variant'],
  reason: attributes?.['feature_flag.result.reason'],
  provider: attributes?.['feature_flag.provider.name'],
  set: attributes?.['feature_flag.set.id'],
});

describe("OpenFeature's telemetry hooks on the flagwise provider", () => {
  it("record the attributes flagwise's telemetry records, once per evaluation with both on", async () => {
    client = createFlags({ source: memorySource({ flags: FLAGS }), logger: false, telemetry: true });
    await OpenFeature.setProviderAndWait(new FlagwiseProvider(client));
    OpenFeature.addHooks(new SpanEventHook());
    const openFeature = OpenFeature.getClient();

    const hooks = await eventsOf(async () => {
      expect(await openFeature.getBooleanValue('beta', false, { targetingKey: 'ada' })).toBe(true);
      await openFeature.getStringValue('checkout-copy', 'none', { targetingKey: 'ada' });
    });
    const evaluations = hooks.filter((event) => event.name === 'feature_flag.evaluation');
    // the hooks' two events; flagwise's telemetry leaves the provider's evaluations to them
    expect(evaluations).toHaveLength(2);
    spans.reset();

    const own = (
      await eventsOf(() => {
        const flags = client.forContext({ userId: 'ada' });
        flags.isEnabled('beta');
        flags.variant('checkout-copy');
      })
    ).filter((event) => event.name === 'feature_flag.evaluation');
    expect(evaluations.map((event) => pick(event.attributes))).toEqual(
      own.map((event) => pick(event.attributes)),
    );
    expect(pick(evaluations[1].attributes)).toEqual({
      key: 'checkout-copy',
      variant: client.getVariant('checkout-copy', { userId: 'ada' }).name,
      reason: 'split',
      provider: 'flagwise',
      set: 'memory',
    });
  });

  it('leaves them to flagwise with recordEvaluations, when no OpenFeature hook records them', async () => {
    client = createFlags({ source: memorySource({ flags: FLAGS }), logger: false, telemetry: true });
    await OpenFeature.setProviderAndWait(new FlagwiseProvider(client, { recordEvaluations: true }));
    const openFeature = OpenFeature.getClient();
    const events = await eventsOf(async () => {
      await openFeature.getBooleanValue('beta', false, { targetingKey: 'ada' });
    });
    expect(events.map((event) => pick(event.attributes))).toEqual([
      { key: 'beta', variant: 'on', reason: 'targeting_match', provider: 'flagwise', set: 'memory' },
    ]);
  });

  it("turns OpenFeature's track() into a flagwise conversion", async () => {
    client = createFlags({ source: memorySource({ flags: FLAGS }), logger: false, telemetry: true });
    await OpenFeature.setProviderAndWait(new FlagwiseProvider(client));
    const openFeature = OpenFeature.getClient();
    const events = await eventsOf(() => {
      openFeature.track(
        'checkout-completed',
        { targetingKey: 'ada' },
        { value: 42, currency: 'EUR', items: [1] },
      );
    });
    expect(events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'flagwise.conversion',
        {
          'flagwise.conversion.name': 'checkout-completed',
          'flagwise.conversion.value': 42,
          'flagwise.conversion.currency': 'EUR',
        },
      ],
    ]);
  });
});
