// FeatureFlagsModule's life: the client it creates (and closes), a client it is given (and leaves open),
// FeatureFlagsService injected by type, bootstrap that waits for flags, and errors that say what to do.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FlagSource } from '@flagwise/core';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createFlags,
  FEATURE_FLAGS_CLIENT,
  FeatureFlagsModule,
  FeatureFlagsService,
  FeatureRequired,
  Flags,
  fileSource,
  memorySource,
  type RequestFlags,
  VariantRequired,
} from '../src/index.js';

/** A job outside any request: gets the service injected by its type (decorator metadata). */
@Injectable()
class InvoiceJob {
  constructor(private readonly flags: FeatureFlagsService) {}
  run(customerId: string) {
    return this.flags.isEnabled('new-invoices', { userId: customerId }) ? 'new' : 'old';
  }
}

async function createContext(imports: unknown[], providers: unknown[] = []) {
  @Module({ imports: imports as never[], providers: providers as never[] })
  class AppModule {}
  return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
}

describe('FeatureFlagsModule', () => {
  it('gives code outside requests the client API through FeatureFlagsService', async () => {
    const source = memorySource({
      flags: { 'new-invoices': { users: ['c-1'] }, layout: { variant: 'wide' } },
    });
    const app = await createContext([FeatureFlagsModule.forRoot({ source })], [InvoiceJob]);
    const job = app.get(InvoiceJob);
    expect(job.run('c-1')).toBe('new');
    expect(job.run('c-2')).toBe('old');
    const service = app.get(FeatureFlagsService);
    expect(service.isReady).toBe(true);
    expect(service.status).toBe('ready');
    expect(service.getVariant('layout').name).toBe('wide');
    expect(service.explain('new-invoices', { userId: 'c-1' }).reason).toBe('strategy-matched');
    expect(service.evaluateAll({ userId: 'c-2' })['new-invoices'].enabled).toBe(false);
    expect(service.forContext({ userId: 'c-1' }).newInvoices).toBe(true);
    await expect(service.ready({ timeoutMs: 10 })).resolves.toBeUndefined();
    await app.close();
  });

  it('closes the client it created when the app shuts down', async () => {
    const source = memorySource({ flags: { 'new-invoices': true } });
    const app = await createContext([FeatureFlagsModule.forRoot({ source })]);
    const service = app.get(FeatureFlagsService);
    await app.close();
    // A closed client no longer follows its source.
    source.set('new-invoices', false);
    expect(service.isEnabled('new-invoices')).toBe(true);
  });

  it('leaves a client it was given open', async () => {
    const source = memorySource({ flags: { 'new-invoices': true } });
    const client = createFlags({ source });
    const app = await createContext([FeatureFlagsModule.forRoot({ client })]);
    expect(app.get(FEATURE_FLAGS_CLIENT)).toBe(client);
    await app.close();
    source.set('new-invoices', false);
    expect(client.isEnabled('new-invoices')).toBe(false);
    await client.close();
  });

  it('takes options from forRootAsync with injected providers', async () => {
    const SETTINGS = Symbol('settings');
    @Module({
      providers: [{ provide: SETTINGS, useValue: { flags: { 'from-config': true } } }],
      exports: [SETTINGS],
    })
    class ConfigModule {}
    const app = await createContext([
      FeatureFlagsModule.forRootAsync({
        imports: [ConfigModule],
        inject: [SETTINGS],
        useFactory: async (settings: { flags: Record<string, boolean> }) => ({
          source: memorySource(settings),
        }),
      }),
    ]);
    expect(app.get(FeatureFlagsService).isEnabled('from-config')).toBe(true);
    await app.close();
  });

  it('waits for the first flags during bootstrap', async () => {
    const app = await createContext([
      FeatureFlagsModule.forRoot({ source: slowSource(100, { late: true }) }),
    ]);
    // The source has no flags until its start() resolves, so `late` being on proves bootstrap waited for it.
    expect(app.get(FeatureFlagsService).isEnabled('late')).toBe(true);
    await app.close();
  });

  it('starts without flags, and says so, when they do not arrive within readyTimeoutMs', async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (_object: unknown, message?: string) => warnings.push(String(message)),
      error() {},
    };
    const source = slowSource(300, { late: true });
    const app = await createContext([FeatureFlagsModule.forRoot({ source, logger, readyTimeoutMs: 20 })]);
    const service = app.get(FeatureFlagsService);
    expect(service.isReady).toBe(false);
    expect(service.isEnabled('late')).toBe(false);
    expect(warnings.some((message) => message.includes('serving requests with fallbacks'))).toBe(true);
    // They arrive later and are used from then on.
    await service.ready({ timeoutMs: 5000 });
    expect(service.isEnabled('late')).toBe(true);
    await app.close();
  });

  it('logs each load once, through Nest’s Logger', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-nest-log-'));
    const file = path.join(dir, 'flags.yaml');
    writeFileSync(file, 'flags:\n  a: true\n');
    const lines: string[] = [];
    const record = (level: string) => (message: unknown, context?: unknown) =>
      void lines.push(`${level} [${String(context)}] ${String(message)}`);
    @Module({ imports: [FeatureFlagsModule.forRoot({ source: fileSource(file, { debounceMs: 20 }) })] })
    class AppModule {}
    const logger = {
      log: record('log'),
      debug: record('debug'),
      verbose: record('verbose'),
      warn: record('warn'),
      error: record('error'),
    };
    const app = await NestFactory.createApplicationContext(AppModule, { logger, abortOnError: false });
    try {
      const service = app.get(FeatureFlagsService);
      writeFileSync(file, 'flags:\n  a: true\n  b: true\n');
      const deadline = Date.now() + 3000;
      while (!service.isEnabled('b') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(lines.filter((line) => line.includes('[flagwise]'))).toEqual([
        `log [flagwise] 1 flag loaded from file:${file}`,
        `debug [flagwise] 2 flags reloaded from file:${file}`,
      ]);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the bootstrap when the flags file does not exist', async () => {
    await expect(
      createContext([FeatureFlagsModule.forRoot({ source: fileSource('/nonexistent/flags.yaml') })]),
    ).rejects.toMatchObject({ code: 'FLAGS_FILE_NOT_FOUND' });
  });

  it('explains a client given together with client options', async () => {
    const client = createFlags({ source: memorySource() });
    await expect(
      createContext([FeatureFlagsModule.forRoot({ client, source: memorySource() } as never)]),
    ).rejects.toThrow(
      /source configure a client the adapter creates; with a client of your own, pass them to createFlags\(\) instead/,
    );
    await client.close();
  });

  it('explains a guarded route in an app without the module', async () => {
    @Controller()
    class LonelyController {
      @Get() @FeatureRequired('x') lonely() {}
    }
    @Module({ controllers: [LonelyController] })
    class LonelyModule {}
    await expect(NestFactory.create(LonelyModule, { logger: false, abortOnError: false })).rejects.toThrow(
      /need FeatureFlagsModule: add FeatureFlagsModule.forRoot/,
    );
  });

  it('fails the bootstrap of an app that takes @Flags() without the module, saying what to add', async () => {
    @Controller()
    class FlagsController {
      @Get()
      read(@Flags() flags: RequestFlags) {
        return flags.anything;
      }
    }
    @Module({ controllers: [FlagsController] })
    class NoFlagsModule {}
    await expect(NestFactory.create(NoFlagsModule, { logger: false, abortOnError: false })).rejects.toThrow(
      '@Flags() needs FeatureFlagsModule: add FeatureFlagsModule.forRoot({ ... }) to the imports of your root module',
    );
  });

  it('rejects decorators without flags at definition time', () => {
    expect(() => FeatureRequired('')).toThrow(ConfigurationError);
    expect(() => FeatureRequired(undefined as never)).toThrow(/@FeatureRequired\('new-checkout'\)/);
    expect(() => VariantRequired('experiment', [])).toThrow(
      /@VariantRequired\('experiment'\): variants must be a variant name or a non-empty list of them, e\.g\. \['b'\]/,
    );
    expect(() => FeatureRequired('x', { onDisabled: 'nope' as never })).toThrow(
      /onDisabled must be a function/,
    );
  });
});

/** A source whose flags arrive `delayMs` after start, like a remote service that is slow to answer. */
function slowSource(delayMs: number, flags: Record<string, boolean>): FlagSource {
  const inner = memorySource({ flags });
  let started = false;
  return {
    name: 'slow',
    get status() {
      return started ? inner.status : 'starting';
    },
    async start(context) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await inner.start(context);
      started = true;
    },
    stop: () => inner.stop(),
    current: () => (started ? inner.current() : undefined),
    subscribe: (listener) => inner.subscribe(listener),
  };
}
