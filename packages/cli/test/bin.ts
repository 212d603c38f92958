// Runs the built `flagwise` bin as a child process. Each test file builds its own copy once (tsup, the package's
// own config, into dist/test-<name>) so parallel test files never rebuild a bin another one is running.
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(packageDir, '../..');
export const fixtures = join(packageDir, 'test', 'fixtures');

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface BuiltBin {
  run(
    args: readonly string[],
    options?: { cwd?: string; env?: Record<string, string | undefined> },
  ): Promise<BinResult>;
  remove(): void;
}

/**
 * Builds the bin into dist/test-<name>-<pid> and returns a runner for it.
 * @example
 * const bin = buildBin('validate'); const { code, stdout } = await bin.run(['validate', 'flags.yaml']);
 */
export function buildBin(name: string): BuiltBin {
  // one folder per run, so two runs of the suite side by side do not build over each other
  const outDir = join(packageDir, 'dist', `test-${name}-${process.pid}`);
  const tsup = join(repoRoot, 'node_modules', '.bin', 'tsup');
  execFileSync(tsup, ['--out-dir', outDir, '--silent'], { cwd: packageDir, stdio: 'pipe' });
  const binPath = join(outDir, 'bin.js');
  return {
    run(args, options = {}) {
      return new Promise((resolvePromise) => {
        execFile(
          process.execPath,
          [binPath, ...args],
          {
            cwd: options.cwd ?? fixtures,
            env: { ...cleanEnv(), NO_COLOR: '1', ...options.env },
            timeout: 30_000,
            maxBuffer: 64 * 1024 * 1024,
          },
          (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
            resolvePromise({ code, stdout, stderr });
          },
        );
      });
    },
    remove() {
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/**
 * The bin of a test file: built before its tests (buildBin(name)) and removed after them.
 * @example const bin = builtBin('validate'); it('…', async () => { await bin.run(['validate']); });
 */
export function builtBin(name: string): Pick<BuiltBin, 'run'> {
  let bin: BuiltBin | undefined;
  beforeAll(() => {
    bin = buildBin(name);
  });
  afterAll(() => bin?.remove());
  return {
    run(args, options) {
      if (bin === undefined) throw new Error(`the ${name} bin is built before the tests: run it from a test`);
      return bin.run(args, options);
    },
  };
}

/** The environment without Unleash variables or colour forcing, so the developer's shell cannot change a result. */
function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('UNLEASH_') || key === 'FORCE_COLOR' || key === 'GITHUB_ACTIONS') delete env[key];
  }
  return env;
}
