// Starts the real Unleash server for the integration suite (scripts/unleash/start.sh is idempotent) and hands
// its address and tokens to the tests through vitest's provide/inject. Stops it afterwards only if this run
// started it, so a server a developer keeps running between runs stays up.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { UnleashHarness } from './harness.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scripts = join(repo, 'scripts', 'unleash');

function isHealthy(url: string): Promise<boolean> {
  return fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = `http://127.0.0.1:${process.env.UNLEASH_HARNESS_PORT ?? 44242}`;
  const wasRunning = await isHealthy(url);
  // start.sh prints shell assignments; it also writes them to .unleash-state/unleash.env
  let output: string;
  try {
    output = execFileSync(join(scripts, 'start.sh'), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
    });
  } catch (error) {
    // A server another checkout started answers on the port (its PostgreSQL holds the port too): use it with
    // the harness's tokens. Tests that stop the server need one of their own (set UNLEASH_HARNESS_PORT).
    if (!wasRunning) throw error;
    output = [
      `UNLEASH_HARNESS_ADMIN_TOKEN='${process.env.UNLEASH_HARNESS_ADMIN_TOKEN ?? '*:*.flagwise-admin-token'}'`,
      `UNLEASH_HARNESS_CLIENT_TOKEN='${process.env.UNLEASH_HARNESS_CLIENT_TOKEN ?? 'default:development.flagwise-client-token'}'`,
    ].join('\n');
  }
  const values = Object.fromEntries(
    output
      .split('\n')
      .map((line) => /^(\w+)='(.*)'$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], match[2]]),
  );
  const harness: UnleashHarness = {
    url: values.UNLEASH_HARNESS_URL ?? url,
    apiUrl: values.UNLEASH_HARNESS_API_URL ?? `${url}/api`,
    adminToken: values.UNLEASH_HARNESS_ADMIN_TOKEN ?? '',
    clientToken: values.UNLEASH_HARNESS_CLIENT_TOKEN ?? '',
    startScript: join(scripts, 'start.sh'),
    stopScript: join(scripts, 'stop.sh'),
    logFile: join(repo, '.unleash-state', 'unleash.log'),
  };
  if (!harness.adminToken || !harness.clientToken) {
    throw new Error(`scripts/unleash/start.sh printed no tokens; its output was:\n${output}`);
  }
  project.provide('unleash', harness);

  return async () => {
    if (wasRunning || process.env.UNLEASH_HARNESS_KEEP === '1') return;
    execFileSync(join(scripts, 'stop.sh'), { stdio: 'inherit', timeout: 60_000 });
  };
}
