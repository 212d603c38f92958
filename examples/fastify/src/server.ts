// `pnpm --filter @flagwise/example-fastify start`: serves the demo on http://127.0.0.1:3000 (PORT to change
// it). Flags come from flags.yaml next to this package, or from Unleash/GitLab when UNLEASH_URL is set (see
// README.md).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, consoleLogger, fileSource } from '@flagwise/fastify';
import { sourceFromEnv } from '@flagwise/unleash';
import { createDemoApp, isLocal } from './app.js';

const exampleDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function chooseSource() {
  // FLAGWISE_FLAGS_FILE points at another flags file (the example's test uses a copy).
  if (process.env.FLAGWISE_FLAGS_FILE) return fileSource(process.env.FLAGWISE_FLAGS_FILE, { debounceMs: 50 });
  return sourceFromEnv(process.env, { cwd: exampleDir, backupPath: path.join(exampleDir, '.flagwise') });
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

// The plugin creates the client, waits for the flags while the app starts (failing it when they cannot load)
// and closes the source with the app.
let app: Awaited<ReturnType<typeof createDemoApp>>;
try {
  app = await createDemoApp({
    source,
    logger: consoleLogger('info'),
    readyTimeoutMs: 8000,
    failOnNotReady: true,
    // Forcing flags from the dashboard: signed cookies, for local visitors. A real app keeps the secret in its env.
    overrides: { secret: process.env.FLAGWISE_SECRET ?? randomBytes(32).toString('hex'), allow: isLocal },
  });
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === 'EADDRINUSE' ? ': the port is taken, run with another one, e.g. PORT=3001' : '';
  stop(`${error instanceof Error ? error.message : String(error)}${hint}`);
}
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : process.env.PORT;
process.stdout.write(
  `flagwise demo on http://127.0.0.1:${port} (flags from ${app.featureFlags.source.name})\n`,
);

const shutdown = () => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
