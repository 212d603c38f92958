// The flags dashboard with 2,000 flags (the large-file shape: rollouts, three conditions, two variants with
// payloads, descriptions): the page served over HTTP by a real Express app, against the same shape by hand
// (explain() every flag for the request, JSON in an HTML shell, served by a plain Express route), and the
// page's filter in Chromium (one keystroke: filter 2,000 rows and lay the page out again).
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createFlags, featureFlags, fileSource, flagsDashboard, getFlags } from '@flagwise/express';
import express from 'express';
import { largeFlagsFile } from '../lib/large-flags-file.js';
import type { BenchSection } from '../run.js';

const FLAGS = 2000;
const TARGET_MS = 200;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function timeGets(url: string, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const res = await fetch(url, { headers: { 'x-user-id': `user-${i}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function filterMs(url: string): Promise<number | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector(`#flag-rows [data-flag="flag-${FLAGS - 1}"]`, { state: 'attached' });
    const samples: number[] = [];
    for (const word of ['flag-1', 'flag-19', 'flag-199', 'team 7', '', 'flag-42', 'zzz', '']) {
      samples.push(
        await page.evaluate((text) => {
          const input = document.getElementById('filter') as HTMLInputElement;
          const start = performance.now();
          input.value = text;
          input.dispatchEvent(new Event('input'));
          void document.body.offsetHeight; // the layout the keystroke causes
          return performance.now() - start;
        }, word),
      );
    }
    return median(samples);
  } finally {
    await browser.close();
  }
}

export default async function dashboardBench(): Promise<BenchSection> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-bench-dashboard-'));
  const file = path.join(dir, 'flags.yaml');
  writeFileSync(file, largeFlagsFile(FLAGS, 1));
  const client = createFlags({ source: fileSource(file, { watch: false }), logger: false });
  await client.ready({ timeoutMs: 30_000 });
  const app = express();
  app.use(
    featureFlags(client, {
      context: (req) => ({ userId: req.get('x-user-id'), properties: { plan: 'pro' } }),
    }),
  );
  app.use('/_flags', flagsDashboard({ allow: () => true }));
  // The same shape by hand: every flag explained for this request, as JSON inside an HTML page.
  app.get('/by-hand', (req, res) => {
    const flags = getFlags(req);
    const rows = client.names().map((name) => {
      const explanation = flags.explain(name);
      return { name, description: client.feature(name)?.description, ...explanation };
    });
    res
      .type('html')
      .send(
        `<!doctype html><script type="application/json">${JSON.stringify(rows).replace(/</g, '\\u003c')}</script>`,
      );
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await timeGets(`${base}/_flags`, 5);
    await timeGets(`${base}/by-hand`, 5);
    const dashboard: number[] = [];
    const byHand: number[] = [];
    for (let round = 0; round < 7; round++) {
      // Interleaved, so drift on a shared machine hits both alike.
      dashboard.push(...(await timeGets(`${base}/_flags`, 5)));
      byHand.push(...(await timeGets(`${base}/by-hand`, 5)));
    }
    const pageMs = median(dashboard);
    const handMs = median(byHand);
    const size = (await (await fetch(`${base}/_flags`)).arrayBuffer()).byteLength;
    const filter = await filterMs(`${base}/_flags`);
    return {
      title: `Flags dashboard: the page with ${FLAGS.toLocaleString('en')} flags`,
      markdown: [
        '| | ms |',
        '| --- | ---: |',
        `| GET /_flags (\`flagsDashboard()\` on Express, ${Math.round(size / 1024)} KB) | ${pageMs.toFixed(1)} |`,
        `| the same shape by hand (explain() each flag, JSON in HTML, a plain route) | ${handMs.toFixed(1)} |`,
        `| one keystroke in the page's filter, in Chromium (filter and layout) | ${filter === undefined ? 'no Chromium' : filter.toFixed(1)} |`,
        '',
        `Dashboard vs by hand: ${(pageMs / handMs).toFixed(2)}× (medians of 35 requests each, interleaved; a different user each request).`,
      ].join('\n'),
      targets: [
        {
          label: `the dashboard page with ${FLAGS.toLocaleString('en')} flags is served in under ${TARGET_MS} ms`,
          met: pageMs < TARGET_MS,
        },
        ...(filter === undefined
          ? []
          : [{ label: 'a filter keystroke takes under 100 ms', met: filter < 100 }]),
      ],
    };
  } finally {
    server.closeAllConnections();
    server.close();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
