// The core README's @opentelemetry/sdk-node setup, as pasted, in a real app process: an Express app with
// `telemetry: true` loaded after the README's instrumentation.ts, exporting over OTLP/HTTP to a loopback receiver.
// What the receiver gets for one request is rendered the way the README shows it, and must be what the README
// shows.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeSnippets } from '../readme-snippets.js';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';
import { waitFor } from '../support/waiting.js';

const readme = fileURLToPath(new URL('../../packages/core/README.md', import.meta.url));
// below test/node_modules: the app resolves packages as an app does
const dir = fileURLToPath(new URL('../node_modules/.flagwise-telemetry-readme/', import.meta.url));

const SERVER = `
import express from 'express';
import { featureFlags, getFlags, inlineSource } from '@flagwise/express';

const app = express();
app.use(
  featureFlags({
    source: inlineSource({ flags: { 'new-pricing': true, 'checkout-copy': { variants: { short: 50, long: 50 } } } }),
    logger: false,
    telemetry: true,
    context: () => ({ userId: 'user-42' }),
  }),
);
app.get('/pricing', (req, res) => {
  const flags = getFlags(req);
  res.json({ pricing: flags.newPricing, copy: flags.variant('checkout-copy').name });
});
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify(server.address())));
`;

/** The README's block that shows the trace, between ```text and ```. */
function readmeTrace(): string {
  const text = readFileSync(readme, 'utf8');
  const block = /as the collector receives\nit[^\n]*\n\n```text\n([\s\S]*?)```/.exec(text);
  if (block === null) throw new Error('the core README shows no trace');
  return block[1];
}

/** What the receiver got for the request, as the README shows it. */
function rendered(receiver: OtlpReceiver): string {
  const lines: string[] = [];
  const attributes = (values: Record<string, unknown>, keys: string[]) =>
    keys.map((key) => `${key}=${values[key]}`);
  // OTLP's SPAN_KIND_SERVER is 2; the HTTP instrumentation names a server span by its method
  for (const span of receiver
    .spans()
    .filter((each) => each.kind === 2 && each.attributes['url.path'] === '/pricing')) {
    lines.push(
      `span ${span.name} ${span.attributes['url.path']}  (server)  http.response.status_code=${span.attributes['http.response.status_code']}`,
    );
    for (const event of span.events.filter((each) => each.name === 'feature_flag.evaluation')) {
      const [key, variant, reason, provider, set] = attributes(event.attributes, [
        'feature_flag.key',
        'feature_flag.result.variant',
        'feature_flag.result.reason',
        'feature_flag.provider.name',
        'feature_flag.set.id',
      ]);
      lines.push(`  event ${event.name}  ${key}  ${variant}`, `        ${reason}  ${provider}  ${set}`);
    }
  }
  for (const point of receiver
    .dataPoints()
    .filter(
      (each) =>
        each.metric === 'flagwise.request.duration' &&
        each.attributes['feature_flag.key'] === 'checkout-copy',
    )) {
    const [key, variant, status] = attributes(point.attributes, [
      'feature_flag.key',
      'feature_flag.result.variant',
      'flagwise.response.status_class',
    ]);
    lines.push(`metric ${point.metric}  ${key}  ${variant}`, `       ${status}  count=${point.count}`);
  }
  return `${lines.join('\n')}\n`;
}

describe("the core README's sdk-node setup", () => {
  let receiver: OtlpReceiver;
  let app: ChildProcess | undefined;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const setup = readmeSnippets(readme).find((snippet) => snippet.includes('new NodeSDK('));
    if (setup === undefined) throw new Error('the core README has no sdk-node setup');
    writeFileSync(path.join(dir, 'instrumentation.ts'), setup);
    writeFileSync(path.join(dir, 'server.ts'), SERVER);
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
  });
  afterAll(async () => {
    app?.kill('SIGKILL');
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports one request's flags on its server span, and its outcome, to an OTLP endpoint", async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './instrumentation.ts', 'server.ts'],
      {
        cwd: dir,
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_LOG_LEVEL: 'error' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    app = child;
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const { port } = JSON.parse(line.toString('utf8').split('\n')[0]);
    const response = await fetch(`http://127.0.0.1:${port}/pricing`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.pricing).toBe(true);
    // the README's SIGTERM handler shuts the SDK down, which sends what is left
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    await waitFor(
      () => receiver.requests.metrics > 0 && receiver.requests.traces > 0,
      'the trace and the metrics at the OTLP receiver',
    );
    const trace = rendered(receiver);
    expect(trace).toContain(`feature_flag.result.variant=${body.copy}`);
    expect(readmeTrace()).toBe(trace);
  });
});
