// `pnpm --filter @flagwise/example-fastify start`: serves the demo on http://127.0.0.1:3000 (PORT to change
// it). Flags come from flags.yaml next to this package, or from Unleash/GitLab when UNLEASH_URL is set (see
// README.md).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, consoleLogger, fileSource } from '@flagwise/fastify';
import { sourceFromEnv } from '@flagwise/unleash';
import { createDemoApp, isLocal } from './app.js';

const exampleDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function chooseSource() {
  // FLAGWISE_FLAGS_FILE points at another flags file (the example's test uses a copy).
  if (process.env.FLAGWISE_FLAGS_FILE) return fileSource(process.env.FLAGWISE_FLAGS_FILE, { debounceMs: 50 });
  // FLAGWISE_BACKUP_PATH keeps the Unleash/GitLab backup elsewhere (a test's scratch folder).
  const backupPath = process.env.FLAGWISE_BACKUP_PATH ?? path.join(exampleDir, '.flagwise');
  return sourceFromEnv(process.env, { cwd: exampleDir, backupPath });
}

function stop(message: string): never {
  process.stderr.write(`flagwise demo: ${message}\n`);
  process.exit(1);
}

let source: ReturnType<typeof chooseSource>;
try {
  source = chooseSource();
} catch (error) {
  // A missing or wrong variable: one line that says which and how to set it.
  if (error instanceof ConfigurationError) stop(error.message);
  throw error;
}

// The plugin creates the client, waits for the flags while the app starts, and closes the source with the app.
// The startup every flagwise adapter has: a flags file that is missing or invalid, or a refused token, stops the
// demo here; flags that are only late (Unleash unreachable) do not: it serves every flag off until they load.
let app: Awaited<ReturnType<typeof createDemoApp>>;
try {
  app = await createDemoApp({
    source,
    logger: consoleLogger('info'),
    // Forcing flags from the dashboard: signed cookies, for local visitors. A real app keeps the secret in its env.
    overrides: { secret: process.env.FLAGWISE_SECRET ?? randomBytes(32).toString('hex'), allow: isLocal },
  });
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === 'EADDRINUSE' ? ': the port is taken, run with another one, e.g. PORT=3001' : '';
  stop(`${error instanceof Error ? error.message : String(error)}${hint}`);
}
const { port } = app.server.address() as AddressInfo;
const client = app.featureFlags;
const loaded = client.isReady ? '' : ' not loaded yet: every flag is off until they load';
process.stdout.write(
  `flagwise demo on http://127.0.0.1:${port} (flags from ${client.source.name}${loaded})\n`,
);

const shutdown = () => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
