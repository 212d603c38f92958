// What the integration tests share: the running server's address and tokens (from global-setup.ts), Express 5,
// an unleashSource on that server, a small client for Unleash's admin API, and deadline-based waiting.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { type UnleashFlagSource, unleashSource } from '@flagwise/unleash';
import type Express from 'express';
import { inject } from 'vitest';
import type { UnleashHarness, UnleashServerMajor } from './servers.js';

export type { UnleashHarness, UnleashServerMajor };

declare module 'vitest' {
  export interface ProvidedContext {
    /** every server global-setup.ts started, by major */
    unleashServers: Partial<Record<UnleashServerMajor, UnleashHarness>>;
    /** the server this project's files run against (vitest.integration.config.ts) */
    unleashServer: UnleashServerMajor;
  }
}

/** Express 5 under its alias in this package; the types come from @types/express. */
export const express5 = createRequire(import.meta.url)('express5') as typeof Express;

/** The server the running test file is against. */
export function harness(): UnleashHarness {
  const major = inject('unleashServer');
  const server = inject('unleashServers')[major];
  if (!server) throw new Error(`global-setup.ts started no unleash-server ${major}`);
  return server;
}

/** Stops this file's Unleash (PostgreSQL keeps running): an outage. */
export function stopUnleash(h: UnleashHarness): void {
  runScript(h.stopScript, ['--server', h.major, '--unleash-only']);
}

/** Starts this file's Unleash again (a no-op while it runs). */
export function startUnleash(h: UnleashHarness): void {
  runScript(h.startScript, ['--server', h.major]);
}

export interface ConstraintInput {
  contextName: string;
  operator: string;
  values?: string[];
  value?: string;
  inverted?: boolean;
  caseInsensitive?: boolean;
}

export interface StrategyInput {
  name: string;
  title?: string;
  parameters?: Record<string, string>;
  constraints?: ConstraintInput[];
  variants?: Array<{
    name: string;
    weight: number;
    weightType: 'variable' | 'fix';
    stickiness: string;
    payload?: { type: string; value: string };
  }>;
  segments?: number[];
}

const ENV = 'development';

/** The admin REST calls the tests need, exactly as documented in the harness README. */
export class AdminApi {
  constructor(private readonly h: UnleashHarness) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.h.url}${path}`, {
      method,
      headers: {
        Authorization: this.h.adminToken,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  async createFlag(name: string, options: { type?: string; impressionData?: boolean } = {}): Promise<void> {
    await this.call('POST', '/api/admin/projects/default/features', {
      name,
      type: options.type ?? 'release',
      description: 'created by flagwise integration tests',
      impressionData: options.impressionData ?? false,
    });
  }

  /** A flag on for everyone (flexibleRollout at 100%), with these strategy variants at equal weights. */
  async createRolledOutFlag(name: string, variants: string[] = []): Promise<void> {
    await this.createFlag(name, { type: variants.length > 0 ? 'experiment' : 'release' });
    await this.addStrategy(name, {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'default', groupId: name },
      variants: variants.map((variant) => ({
        name: variant,
        weight: 1000 / variants.length,
        weightType: 'variable' as const,
        stickiness: 'default',
      })),
    });
    await this.setEnabled(name, true);
  }

  async addStrategy(flag: string, strategy: StrategyInput): Promise<string> {
    const created = (await this.call(
      'POST',
      `/api/admin/projects/default/features/${flag}/environments/${ENV}/strategies`,
      { constraints: [], parameters: {}, ...strategy },
    )) as { id: string };
    return created.id;
  }

  async setEnabled(flag: string, enabled: boolean): Promise<void> {
    await this.call(
      'POST',
      `/api/admin/projects/default/features/${flag}/environments/${ENV}/${enabled ? 'on' : 'off'}`,
    );
  }

  async setFeatureVariants(
    flag: string,
    variants: Array<{
      name: string;
      weight: number;
      weightType: string;
      stickiness: string;
      payload?: unknown;
    }>,
  ): Promise<void> {
    await this.call(
      'PUT',
      `/api/admin/projects/default/features/${flag}/environments/${ENV}/variants`,
      variants,
    );
  }

  async addDependency(
    child: string,
    parent: string,
    options: { enabled?: boolean; variants?: string[] } = {},
  ) {
    await this.call('POST', `/api/admin/projects/default/features/${child}/dependencies`, {
      feature: parent,
      enabled: options.enabled ?? true,
      variants: options.variants ?? [],
    });
  }

  async createSegment(name: string, constraints: ConstraintInput[]): Promise<number> {
    const created = (await this.call('POST', '/api/admin/segments', {
      name,
      description: 'created by flagwise integration tests',
      constraints,
    })) as { id: number };
    return created.id;
  }

  async createContextField(name: string): Promise<void> {
    const response = await fetch(`${this.h.url}/api/admin/context`, {
      method: 'POST',
      headers: { Authorization: this.h.adminToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, description: 'flagwise integration tests', stickiness: true }),
      signal: AbortSignal.timeout(10_000),
    });
    // 409: it exists from an earlier run, which is fine
    if (!response.ok && response.status !== 409) {
      throw new Error(`POST /api/admin/context answered ${response.status}: ${await response.text()}`);
    }
  }

  /**
   * Creates a backend API token for project default in `environment` and resolves its secret: an opaque v2
   * token (`<projects>:<environment>.v2_<selector>_<secret>`) on Unleash 8 with secure tokens on, as the harness
   * runs it; a v1 one on Unleash 7.
   */
  async createBackendToken(name: string, environment = ENV): Promise<string> {
    const created = (await this.call('POST', '/api/admin/api-tokens', {
      tokenName: name,
      type: 'backend',
      projects: ['default'],
      environment,
    })) as { secret: string };
    return created.secret;
  }

  /** Archives (soft-deletes) flags; archived flags are no longer served to SDKs. */
  async archive(flags: string[]): Promise<void> {
    if (flags.length === 0) return;
    await this.call('POST', '/api/admin/projects/default/archive', { features: flags });
  }

  /** Usage the server has recorded for a flag in the last hour, summed over every app. */
  async usage(
    flag: string,
    appName: string,
  ): Promise<{ yes: number; no: number; variants: Record<string, number> }> {
    const raw = (await this.call('GET', `/api/admin/client-metrics/features/${flag}/raw`)) as {
      data: Array<{ appName: string; yes: number; no: number; variants?: Record<string, number> }>;
    };
    const total = { yes: 0, no: 0, variants: {} as Record<string, number> };
    for (const row of raw.data ?? []) {
      if (row.appName !== appName) continue;
      total.yes += row.yes;
      total.no += row.no;
      for (const [name, count] of Object.entries(row.variants ?? {})) {
        total.variants[name] = (total.variants[name] ?? 0) + count;
      }
    }
    return total;
  }
}

/**
 * Sends usage with `send` until `counted` says the server has it, then resolves. Unleash keeps the metrics of
 * flags it knows only, and learns new flag names through a cache it refreshes at most every 10 s: a flag made
 * just before is counted only by a send after the next refresh.
 */
export async function sendUntilCounted(
  send: () => Promise<void>,
  counted: () => Promise<boolean>,
  what: string,
  deadlineMs = 30_000,
): Promise<void> {
  const started = performance.now();
  for (;;) {
    await send();
    // the server writes received metrics in bulk every 5 s
    const round = performance.now();
    while (performance.now() - round < 6_000) {
      if (await counted()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (performance.now() - started > deadlineMs) {
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    }
  }
}

/**
 * An unleashSource on this file's server with its client token, for the file's app and flag prefix: it polls
 * every 500 ms and keeps no backup file and no usage metrics unless `options` say otherwise.
 * @example const source = harnessSource(h, { appName: APP, namePrefix: prefix, backupPath: backupDir });
 */
export function harnessSource(
  h: UnleashHarness,
  options: Partial<Parameters<typeof unleashSource>[0]> & { appName: string; namePrefix: string },
): UnleashFlagSource {
  return unleashSource({
    url: h.apiUrl,
    apiToken: h.clientToken,
    refreshInterval: 500,
    backupPath: false,
    metrics: false,
    ...options,
  });
}

/** A name no earlier run used, so runs against a kept database never collide. */
export function uniquePrefix(label: string): string {
  return `fw-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}-`;
}

/** Polls `check` every 20 ms until it holds or the deadline passes; resolves the time it took in ms. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  deadlineMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > deadlineMs) {
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs one of the harness scripts (start.sh / stop.sh), bounded. */
function runScript(path: string, args: string[] = []): string {
  return execFileSync(path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}
