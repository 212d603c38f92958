// One startup policy, every adapter row: a flags file that is invalid (or missing) at start refuses the startup
// with the file, line and column — Fastify's register, Nest's bootstrap, the Express and Koa middleware's
// `ready()` awaited before listening — and with `startOnFallbacks` the app starts on fallbacks and picks up the
// file once it is fixed, without a restart. Each row starts its real app over HTTP (contract.ts, startEntry).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileSource } from '@flagwise/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../support/logging.js';
import { waitFor } from '../support/waiting.js';
import type { AdapterRow, RunningApp } from './contract.js';

type Glob = (pattern: string, options: { eager: true }) => Record<string, { rows: AdapterRow[] }>;
const rowModules = (import.meta as ImportMeta & { glob: Glob }).glob('./rows/*.ts', { eager: true });
const rows = Object.values(rowModules).flatMap((mod) => mod.rows);

const INVALID = 'flags:\n  beta-page: maybe\n';
const FIXED = 'flags:\n  beta-page: true\n  checkout-open: true\n';

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function flagsFile(text?: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-startup-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'flags.yaml');
    if (text !== undefined) writeFileSync(file, text);
    return file;
  }

  async function started(options: object): Promise<RunningApp> {
    const app = await row.startEntry(options, undefined, { between: async () => {} });
    cleanups.push(() => app.close());
    return app;
  }

  it('refuses to start on an invalid flags file, naming its path, line and column', async () => {
    const file = flagsFile(INVALID);
    const { logger } = recordingLogger();
    const error = await started({ source: fileSource(file), logger }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_FLAGS_FILE' });
    expect((error as Error).message).toBe(
      `${file}:2:3: beta-page must be true, false or a flag object such as { rollout: 10 }, got "maybe"`,
    );
  });

  it('refuses to start when the flags file is missing', async () => {
    const file = flagsFile();
    const { logger } = recordingLogger();
    await expect(started({ source: fileSource(file), logger })).rejects.toMatchObject({
      code: 'FLAGS_FILE_NOT_FOUND',
      message: expect.stringContaining(file),
    });
  });

  it('with startOnFallbacks, starts on fallbacks and loads the file once it is fixed, without a restart', async () => {
    const file = flagsFile(INVALID);
    const { logger, lines } = recordingLogger();
    const app = await started({
      source: fileSource(file, { debounceMs: 20 }),
      logger,
      startOnFallbacks: true,
    });
    expect((await request(app.url).get('/flag/beta-page')).body.enabled).toBe(false);
    expect((await request(app.url).get('/guarded')).status).toBe(404);
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings.filter((w) => w.includes('serving requests with fallbacks'))).toEqual([
      expect.stringContaining(`${file}:2:3: beta-page must be true, false or a flag object`),
    ]);

    writeFileSync(file, FIXED);
    await waitFor(async () => (await request(app.url).get('/guarded')).status === 200, 'the guarded route');
    expect((await request(app.url).get('/guarded')).text).toBe('beta ok');
    expect((await request(app.url).get('/flag/beta-page')).body.enabled).toBe(true);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      expect.stringMatching(/failed to start: .*:2:3: beta-page must be/),
    ]);
    expect(lines.filter((l) => /recovered/.test(l.message)).map((l) => l.message)).toEqual([
      `flagwise: file:${file} recovered: 2 flags loaded`,
    ]);
  });

  it('refuses failOnNotReady together with startOnFallbacks', async () => {
    const file = flagsFile(FIXED);
    await expect(
      started({ source: fileSource(file), logger: false, failOnNotReady: true, startOnFallbacks: true }),
    ).rejects.toThrow(/failOnNotReady and startOnFallbacks ask for opposite startups/);
  });
});
