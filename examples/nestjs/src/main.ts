// `pnpm --filter @flagwise/example-nestjs start`: serves the demo on http://127.0.0.1:3000 (PORT to change it).
// Flags come from flags.yaml next to this package, or from Unleash/GitLab when UNLEASH_URL is set (README.md).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_FILES } from '@flagwise/example-browser-pages';
import { ConfigurationError, consoleLogger, createFlags, fileSource } from '@flagwise/nestjs';
import { sourceFromEnv } from '@flagwise/unleash';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import ejs from 'ejs';
import { AppModule } from './app.module.js';
import { isLocal } from './demo.controller.js';

const exampleDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function chooseSource() {
  // FLAGWISE_FLAGS_FILE points at another flags file (the example's test uses a copy).
  if (process.env.FLAGWISE_FLAGS_FILE) return fileSource(process.env.FLAGWISE_FLAGS_FILE, { debounceMs: 50 });
  // FLAGWISE_BACKUP_PATH keeps the Unleash/GitLab backup elsewhere (a test's scratch folder).
  const backupPath = process.env.FLAGWISE_BACKUP_PATH ?? path.join(exampleDir, '.flagwise');
  return sourceFromEnv(process.env, { cwd: exampleDir, backupPath });
}

function fail(message: string): never {
  process.stderr.write(`flagwise demo: ${message}\n`);
  process.exit(1);
}

let source: ReturnType<typeof chooseSource>;
try {
  source = chooseSource();
} catch (error) {
  // A missing or wrong variable: one line that says which and how to set it.
  if (error instanceof ConfigurationError) fail(error.message);
  throw error;
}

const client = createFlags({
  source,
  logger: consoleLogger('info'),
  // Forcing flags from the dashboard: signed cookies, for local visitors. A real app keeps the secret in its env.
  overrides: { secret: process.env.FLAGWISE_SECRET ?? randomBytes(32).toString('hex'), allow: isLocal },
});
// The startup every flagwise adapter has: the module waits for the flags while Nest bootstraps. A flags file that
// is missing or invalid, or a refused token, stops the demo here; flags that are only late (Unleash unreachable)
// do not: it serves every flag off until they load.
let app: NestExpressApplication;
try {
  app = await NestFactory.create<NestExpressApplication>(AppModule.withClient(client), new ExpressAdapter(), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
} catch (error) {
  await client.close();
  fail(error instanceof Error ? error.message : String(error));
}
// pnpm's strict layout: Express cannot require('ejs') itself, so the engine is registered explicitly.
app.engine('ejs', ejs.renderFile);
app.setViewEngine('ejs');
app.setBaseViewsDir(path.join(exampleDir, 'views'));
// The browser pages' scripts, from node_modules (browser-pages.controller.ts serves the pages).
for (const file of BROWSER_FILES) {
  app.use(file.path, (_req: unknown, res: { type(type: string): { send(body: Buffer): void } }) =>
    res.type(file.type).send(file.body),
  );
}

try {
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === 'EADDRINUSE' ? ': the port is taken, run with another one, e.g. PORT=3001' : '';
  fail(`${error instanceof Error ? error.message : String(error)}${hint}`);
}
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
const loaded = client.isReady ? '' : ' not loaded yet: every flag is off until they load';
process.stdout.write(`flagwise demo on ${url} (flags from ${client.source.name}${loaded})\n`);

// The module was given the client, so closing it is ours (after the app stopped taking requests).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(
    signal,
    () =>
      void app
        .close()
        .then(() => client.close())
        .then(() => process.exit(0)),
  );
}
