import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@flagwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceFromEnv } from '../src/index.js';

const GITLAB_URL = 'https://gitlab.example.com/api/v4/feature_flags/unleash/42';
const UNLEASH_URL = 'https://unleash.example.com/api';

describe('sourceFromEnv', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'flagwise-env-test-'));
    await writeFile(join(cwd, 'flags.yaml'), 'flags:\n  dark-mode: true\n');
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('uses the local flags file in cwd when UNLEASH_URL is not set', () => {
    const source = sourceFromEnv({ UNLEASH_API_TOKEN: 'ignored' }, { cwd });
    expect(source.name).toContain(cwd);
    expect(source.name).not.toMatch(/^(unleash|gitlab)\(/);
  });

  it('says what to do when UNLEASH_URL is not set and there is no flags file', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'flagwise-env-empty-'));
    try {
      expect(() => sourceFromEnv({}, { cwd: empty })).toThrow(
        /^UNLEASH_URL is not set and .* has no flags file: create flags.yaml .*UNLEASH_INSTANCE_ID \(GitLab\)$/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('treats an empty UNLEASH_URL as unset', () => {
    expect(sourceFromEnv({ UNLEASH_URL: '  ' }, { cwd }).name).toContain(cwd);
  });

  it('chooses GitLab with UNLEASH_INSTANCE_ID, the app name being the environment', () => {
    const source = sourceFromEnv(
      { UNLEASH_URL: GITLAB_URL, UNLEASH_INSTANCE_ID: 'glffct-abc', UNLEASH_APP_NAME: 'staging' },
      { cwd, backupPath: false },
    );
    expect(source.name).toBe(`gitlab(${GITLAB_URL})`);
  });

  it('chooses Unleash with UNLEASH_API_TOKEN, app name defaulting to production', () => {
    const source = sourceFromEnv(
      { UNLEASH_URL, UNLEASH_API_TOKEN: 'default:production.secret' },
      { cwd, backupPath: cwd },
    );
    expect(source.name).toBe(`unleash(${UNLEASH_URL})`);
    expect((source as { backupFile?: string }).backupFile).toMatch(
      new RegExp(`^${join(cwd, 'unleash-backup-production-')}[0-9a-f]{12}\\.json$`),
    );
  });

  it('picks GitLab for a GitLab URL even when a token is set too', () => {
    const source = sourceFromEnv(
      { UNLEASH_URL: GITLAB_URL, UNLEASH_INSTANCE_ID: 'glffct-abc', UNLEASH_API_TOKEN: 'anything' },
      { cwd, backupPath: false },
    );
    expect(source.name).toMatch(/^gitlab\(/);
  });

  it.each([
    [{ UNLEASH_URL }, 'UNLEASH_API_TOKEN'],
    [{ UNLEASH_URL: GITLAB_URL }, 'UNLEASH_INSTANCE_ID'],
    [{ UNLEASH_URL: GITLAB_URL, UNLEASH_API_TOKEN: 'default:production.secret' }, 'UNLEASH_INSTANCE_ID'],
  ])('with %j, names the missing %s in one line', (env, missing) => {
    let thrown: unknown;
    try {
      sourceFromEnv(env, { cwd });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const message = (thrown as Error).message;
    expect(message.startsWith(`${missing} is not set: `)).toBe(true);
    expect(message).toMatch(new RegExp(`${missing}=`));
    expect(message).not.toContain('\n');
  });

  it('rejects an UNLEASH_URL that is not a URL', () => {
    expect(() =>
      sourceFromEnv({ UNLEASH_URL: 'unleash.local', UNLEASH_API_TOKEN: 'x:y.z' }, { cwd }),
    ).toThrow(/^UNLEASH_URL is not an http\(s\) URL.*UNLEASH_URL=https:/);
  });

  it('shows the credentials of neither a URL it refuses nor a URL it cannot parse', () => {
    for (const url of [
      'ftp://alice:s3cret@unleash.example.com/api',
      'alice:s3cret@unleash.example.com/api',
    ]) {
      expect(() => sourceFromEnv({ UNLEASH_URL: url, UNLEASH_API_TOKEN: 'x:y.z' }, { cwd })).toThrow(
        /^UNLEASH_URL is not an http\(s\) URL \("(ftp:\/\/)?\*\*\*@unleash\.example\.com\/api"\)/,
      );
    }
  });
});

describe('an app whose environment lacks a variable', () => {
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  const index = join(packageDir, 'src', 'index.ts');

  it("dies with the one-line message and a trace that starts at the app's own call", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flagwise-env-app-'));
    const app = join(dir, 'server.ts');
    await writeFile(
      app,
      `import { sourceFromEnv } from ${JSON.stringify(index)};\n` +
        `const source = sourceFromEnv({ UNLEASH_URL: 'https://unleash.example.com/api' });\n`,
    );
    try {
      // tsx maps every frame back to its TypeScript source, as --enable-source-maps does for the published build
      const stderr = await new Promise<string>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', app], { cwd: packageDir }, (_error, _stdout, text) =>
          resolve(text),
        );
      });
      const lines = stderr.split('\n');
      expect(lines[0]).toBe(`${app}:2`);
      expect(lines).toContain(
        'ConfigurationError: UNLEASH_API_TOKEN is not set: set it to a backend token from Unleash (Admin > API ' +
          'access), e.g. UNLEASH_API_TOKEN=default:production.<secret>; for GitLab set UNLEASH_INSTANCE_ID ' +
          'instead; or unset UNLEASH_URL to use the local flags file',
      );
      // nothing points into flagwise's own files
      expect(stderr).not.toMatch(/source-from-env|unleash-source|packages\/unleash\/src/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
