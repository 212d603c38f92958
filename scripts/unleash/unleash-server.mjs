// Launches unleash-server (installed by start.sh into $UNLEASH_HARNESS_INSTALL_DIR) for flagwise's
// integration tests: open-source auth with fixed init tokens, no outbound calls, loopback only.
// Configuration comes from the environment that start.sh sets; see README.md.
import { createRequire } from 'node:module';

const env = process.env;
const installDir = required('UNLEASH_HARNESS_INSTALL_DIR');
const httpPort = Number(required('UNLEASH_HARNESS_HTTP_PORT'));
const pgPort = Number(env.UNLEASH_HARNESS_PG_PORT ?? 54329);
const database = required('UNLEASH_HARNESS_DATABASE');

function required(name) {
  const value = env[name];
  if (!value) {
    process.stderr.write(`unleash-server.mjs: ${name} is not set; run scripts/unleash/start.sh instead\n`);
    process.exit(2);
  }
  return value;
}

// unleash-server is ESM-only and has no bin: resolve it from the install directory and import it.
const require = createRequire(`${installDir}/package.json`);
const { start } = await import(require.resolve('unleash-server'));

await start({
  db: {
    host: '127.0.0.1',
    port: pgPort,
    user: 'unleash',
    password: 'unleash',
    database,
    // unleash defaults to SSL, which a plain initdb cluster does not offer
    ssl: false,
  },
  server: { host: '127.0.0.1', port: httpPort, unleashUrl: `http://127.0.0.1:${httpPort}` },
  authentication: {
    type: 'open-source',
    enableApiToken: true,
    createAdminUser: true,
    // inserted only while the api_tokens table is empty; start.sh checks they work
    initApiTokens: [
      {
        secret: required('UNLEASH_HARNESS_ADMIN_TOKEN'),
        type: 'admin',
        projects: ['*'],
        environment: '*',
        tokenName: 'flagwise-admin',
      },
      {
        secret: required('UNLEASH_HARNESS_CLIENT_TOKEN'),
        type: 'backend',
        projects: ['default'],
        environment: 'development',
        tokenName: 'flagwise-backend',
      },
    ],
  },
  versionCheck: { enable: false },
  sendTelemetry: false,
  logLevel: env.UNLEASH_HARNESS_LOG_LEVEL ?? 'warn',
});

// db-migrate registers `unhandledRejection -> process.exit(1)` listeners, so a harmless race in unleash's
// lifecycle listener (flag created then deleted within a second) would kill the server mid-test.
// Unleash's own listener only logs; keep that one.
if (env.UNLEASH_EXIT_ON_UNHANDLED_REJECTION !== 'true') {
  let removed = 0;
  for (const listener of process.listeners('unhandledRejection')) {
    const source = listener.toString();
    if (source.includes('process.exit(1)') && source.includes('reason.stack')) {
      process.removeListener('unhandledRejection', listener);
      removed += 1;
    }
  }
  process.stdout.write(
    `unleash-server.mjs: removed ${removed} db-migrate unhandledRejection->exit(1) handler(s)\n`,
  );
}
process.stdout.write(`unleash-server.mjs: listening on http://127.0.0.1:${httpPort}\n`);
