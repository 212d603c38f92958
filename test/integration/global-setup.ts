// Starts the real Unleash servers the selected projects of the integration suite need (one call of
// scripts/unleash/start.sh, which boots them side by side and is idempotent) and hands each one's address and
// tokens to the tests through vitest's provide/inject. Stops afterwards only the servers this run started, so
// a server a developer keeps running between runs stays up.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { SERVER_PORT_OFFSETS, type UnleashHarness, type UnleashServerMajor } from './servers.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scripts = join(repo, 'scripts', 'unleash');

function isHealthy(url: string): Promise<boolean> {
  return fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );
}

/** start.sh prints one block of `NAME='value'` lines per server, separated by a blank line. */
function parseBlocks(output: string): Array<Record<string, string>> {
  return output
    .split(/\n\s*\n/)
    .map((block) =>
      Object.fromEntries(
        block
          .split('\n')
          .map((line) => /^(\w+)='(.*)'$/.exec(line))
          .filter((match): match is RegExpExecArray => match !== null)
          .map((match) => [match[1], match[2]]),
      ),
    )
    .filter((values) => values.UNLEASH_HARNESS_SERVER !== undefined);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const majors = [
    ...new Set(
      project.vitest.projects
        .map((each) => each.config.provide?.unleashServer as UnleashServerMajor | undefined)
        .filter((major): major is UnleashServerMajor => major !== undefined),
    ),
  ];
  const basePort = Number(process.env.UNLEASH_HARNESS_PORT ?? 44242);
  const urlOf = (major: UnleashServerMajor) => `http://127.0.0.1:${basePort + SERVER_PORT_OFFSETS[major]}`;
  const wasRunning = new Set<UnleashServerMajor>();
  for (const major of majors) if (await isHealthy(urlOf(major))) wasRunning.add(major);

  const started = performance.now();
  const output = execFileSync(
    join(scripts, 'start.sh'),
    majors.flatMap((major) => ['--server', major]),
    // the first run installs both servers (npm ci) and creates the databases
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 },
  );
  const servers: Partial<Record<UnleashServerMajor, UnleashHarness>> = {};
  for (const values of parseBlocks(output)) {
    const major = values.UNLEASH_HARNESS_SERVER as UnleashServerMajor;
    servers[major] = {
      major,
      version: values.UNLEASH_HARNESS_VERSION,
      url: values.UNLEASH_HARNESS_URL,
      apiUrl: values.UNLEASH_HARNESS_API_URL,
      adminToken: values.UNLEASH_HARNESS_ADMIN_TOKEN,
      clientToken: values.UNLEASH_HARNESS_CLIENT_TOKEN,
      startScript: join(scripts, 'start.sh'),
      stopScript: join(scripts, 'stop.sh'),
      logFile: values.UNLEASH_HARNESS_LOG,
    };
  }
  const missing = majors.filter((major) => servers[major] === undefined);
  if (missing.length > 0) {
    throw new Error(`scripts/unleash/start.sh printed nothing for server ${missing.join(', ')}:\n${output}`);
  }
  console.info(
    `[integration] unleash-server ${majors.map((major) => servers[major]?.version).join(' and ')} ready in ` +
      `${Math.round((performance.now() - started) / 1000)} s`,
  );
  project.provide('unleashServers', servers);

  return async () => {
    if (process.env.UNLEASH_HARNESS_KEEP === '1') return;
    const ours = majors.filter((major) => !wasRunning.has(major));
    if (ours.length === 0) return;
    execFileSync(
      join(scripts, 'stop.sh'),
      ours.flatMap((major) => ['--server', major]),
      { stdio: 'inherit', timeout: 60_000 },
    );
  };
}
