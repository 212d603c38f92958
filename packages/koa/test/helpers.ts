// Shared by the Koa adapter's tests: a real listening server on 127.0.0.1, a source that loads when told,
// and a logger that keeps what it was given.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ClientFeaturesPayload, FlagSource, Logger, SourceListener, SourceStatus } from '@flagwise/core';
import type Koa from 'koa';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(app: Koa<any, any>): Promise<Served> {
  const server = app.listen(0, '127.0.0.1');
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A source with no definitions until `deliver()` (or that fails to start when `fail()` is called). */
export class LateSource implements FlagSource {
  readonly name = 'late';
  status: SourceStatus = 'starting';
  private definitions: ClientFeaturesPayload | undefined;
  private readonly listeners = new Set<SourceListener>();
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }
  async stop(): Promise<void> {
    this.settle?.reject(new Error('stopped'));
  }
  current(): ClientFeaturesPayload | undefined {
    return this.definitions;
  }
  subscribe(listener: SourceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  deliver(definitions: ClientFeaturesPayload): void {
    this.definitions = definitions;
    this.status = 'ready';
    for (const listener of this.listeners) listener({ type: 'definitions', definitions });
    this.settle?.resolve();
  }
  fail(error: Error): void {
    this.status = 'failed';
    this.settle?.reject(error);
  }
}

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export function collectingLogger(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (obj: unknown, msg?: string): void => {
      lines.push({ level, message: msg ?? String(obj) });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls until `check()` is true; fails after `timeoutMs` instead of waiting for a fixed time. */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function onOff(flags: Record<string, boolean>): ClientFeaturesPayload {
  return {
    version: 2,
    features: Object.entries(flags).map(([name, enabled]) => ({
      name,
      enabled,
      strategies: [{ name: 'default', parameters: {}, constraints: [] }],
      variants: [],
    })),
  };
}
