// What unleashSource keeps for Unleash's usage metrics stays bounded by the flags it serves, whatever names it is
// asked to count, and a send the server refuses (a 413 for a body over its limit, which unleash-client passes
// over in silence) is said once, kept, and sent again once the server takes it. Against a loopback Unleash.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fixture from '../../../test/fixtures/unleash/unleash-client-features.json' with { type: 'json' };
import {
  type LoopbackServer,
  type RecordedRequest,
  recordingLogger,
  startLoopbackServer,
  waitFor,
} from './helpers/loopback-server.js';
import { unleashSources } from './helpers/sources.js';

const TOKEN = 'default:development.metrics-bounds';
let server: LoopbackServer;
let metricsStatus = 202;
const { source: metricsSource, stopAll } = unleashSources(() => ({
  url: `${server.url}/api`,
  apiToken: TOKEN,
  appName: 'metrics-bounds',
  backupPath: false,
  // sends happen when the test flushes
  metricsInterval: 3_600_000,
}));

beforeEach(async () => {
  metricsStatus = 202;
  server = await startLoopbackServer((request) => {
    if (request.headers.authorization !== TOKEN) return { status: 401 };
    if (request.path.includes('/client/features')) return { status: 200, body: fixture };
    if (request.path.includes('/client/metrics')) return { status: metricsStatus, body: 'refused' };
    return { status: 202 };
  });
});
afterEach(async () => {
  await stopAll();
  await server.close();
});

async function started() {
  const source = metricsSource();
  const log = recordingLogger();
  const warnings: string[] = [];
  source.subscribe((event) => {
    if (event.type === 'warn') warnings.push(event.message);
  });
  await source.start({ logger: log.logger });
  return { source, warnings, lines: log.lines };
}

const sentBodies = () =>
  server.requests
    .filter((request: RecordedRequest) => request.path.includes('/client/metrics'))
    .map((request) => JSON.parse(request.body) as { bucket: { toggles: Record<string, unknown> } });

describe('the usage metrics unleashSource keeps', () => {
  it('count only the variants a flag has, and only so many names the definitions lack', async () => {
    const { source } = await started();
    source.recordEvaluation('dark_mode', true, 'slate');
    for (let i = 0; i < 1_000; i++) source.recordEvaluation('dark_mode', true, `made-up-${i}`);
    for (let i = 0; i < 1_000; i++) source.recordEvaluation(`no-such-flag-${i}`, false, 'disabled');
    await source.flushMetrics();
    const [body] = sentBodies();
    expect(body.bucket.toggles.dark_mode).toEqual({ yes: 1_001, no: 0, variants: { slate: 1 } });
    const others = Object.keys(body.bucket.toggles).filter((name) => name.startsWith('no-such-flag-'));
    expect(others).toHaveLength(100);
    expect(body.bucket.toggles['no-such-flag-0']).toEqual({ yes: 0, no: 1, variants: { disabled: 1 } });
    // once a send gets through, new names count again
    source.recordEvaluation('no-such-flag-1000', false);
    await source.flushMetrics();
    expect(Object.keys(sentBodies()[1].bucket.toggles)).toEqual(['no-such-flag-1000']);
  });

  it('warns once when the server does not take them, keeps them, and says when it does again', async () => {
    const { source, warnings, lines } = await started();
    metricsStatus = 413;
    source.recordEvaluation('dark_mode', true, 'midnight');
    await source.flushMetrics();
    source.recordEvaluation('dark_mode', false);
    await source.flushMetrics();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^unleash\(http:\/\/127\.0\.0\.1:\d+\/api\): Unleash did not take the usage metrics of 1 flag; they are kept/,
      ),
    ]);

    metricsStatus = 202;
    await source.flushMetrics();
    expect(sentBodies().at(-1)?.bucket.toggles.dark_mode).toEqual({
      yes: 1,
      no: 1,
      variants: { midnight: 1 },
    });
    await waitFor(
      () => lines.some((line) => /usage metrics reach Unleash again/.test(line.message)),
      'the recovery',
    );
    expect(lines.find((line) => /reach Unleash again/.test(line.message))?.level).toBe('info');
    expect(warnings).toHaveLength(1);
    // a later failure is said again
    metricsStatus = 400;
    source.recordEvaluation('dark_mode', true, 'slate');
    await source.flushMetrics();
    expect(warnings).toHaveLength(2);
  });
});
