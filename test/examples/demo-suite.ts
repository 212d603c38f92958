// The checks every framework's demo must pass: boots a demo the way its `start` script does — its own process,
// tsx, no build — on a copy of its flags.yaml, and checks the page: each flag's state and reason per user, the
// user cookie and the auto-refresh, a saved edit of the file showing without a restart; and the startup: one line
// and a stop for a missing Unleash variable, a missing or invalid flags file or a taken port, and every flag off
// (retrying, as it says) while Unleash is unreachable. Each framework's test file calls `describeDemo` once.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFlags, fileSource } from '@flagwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface DemoOptions {
  /** the describe title, e.g. `examples/express (pnpm demo)` */
  title: string;
  /** the example's folder name under examples/ */
  example: string;
  /** its entry file, run with tsx */
  entry: string;
  /** text the page must show for this framework, if any */
  pageShows?: string;
}

const DEMO_FLAGS = ['dark_mode', 'holiday_banner', 'new_layout', 'beta_banner'];

export interface Demo {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Runs a demo as its start script does (its own process, tsx), on port 0 and its flags file unless `env` says. */
function spawnDemo(
  exampleDir: string,
  entry: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: exampleDir,
    env: { ...process.env, PORT: '0', UNLEASH_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** Runs a demo to its exit: its exit code and the lines it printed. */
export async function runDemoToExit(
  exampleDir: string,
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number; lines: string[] }> {
  const { child, output } = spawnDemo(exampleDir, entry, env);
  const [code] = await once(child, 'exit');
  return { code, lines: output().trim().split('\n') };
}

export function startDemo(exampleDir: string, entry: string, env: Record<string, string>): Promise<Demo> {
  const { child, output } = spawnDemo(exampleDir, entry, env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 20 s:\n${output()}`)), 20_000);
    child.stdout!.on('data', () => {
      const match = /demo on (http:\/\/127\.0\.0\.1:\d+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${output()}`));
    });
  });
}

export async function stopDemo(demo: Demo | undefined): Promise<void> {
  if (!demo || demo.child.exitCode !== null) return;
  const exited = once(demo.child, 'exit');
  demo.child.kill('SIGTERM');
  await exited;
}

/** The flag rows the page shows: name → { enabled, reason }. */
function flagRows(html: string): Record<string, { enabled: boolean; reason: string }> {
  const rows: Record<string, { enabled: boolean; reason: string }> = {};
  for (const match of html.matchAll(
    /data-flag="([^"]+)" data-enabled="(true|false)" data-reason="([^"]+)"/g,
  )) {
    rows[match[1]] = { enabled: match[2] === 'true', reason: match[3] };
  }
  return rows;
}

async function page(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return res.text();
}

export function describeDemo(options: DemoOptions): void {
  const exampleDir = fileURLToPath(new URL(`../../examples/${options.example}`, import.meta.url));
  describe(options.title, () => {
    let workDir: string;
    let flagsFile: string;
    let demo: Demo | undefined;

    beforeAll(async () => {
      workDir = mkdtempSync(path.join(tmpdir(), `flagwise-${options.example}-demo-`));
      flagsFile = path.join(workDir, 'flags.yaml');
      copyFileSync(path.join(exampleDir, 'flags.yaml'), flagsFile);
      demo = await startDemo(exampleDir, options.entry, { FLAGWISE_FLAGS_FILE: flagsFile });
    });
    afterAll(async () => {
      await stopDemo(demo);
      rmSync(workDir, { recursive: true, force: true });
    });

    it('shows each flag’s state and reason for the chosen user, as the core evaluates them', async () => {
      const reference = createFlags({ source: fileSource(flagsFile, { watch: false }) });
      await reference.ready({ timeoutMs: 5000 });
      try {
        for (const user of ['alice', 'bob', 'carol', 'dave']) {
          const html = await page(`${demo!.url}/?user=${user}`);
          expect(html).toContain(`<strong id="current-user">${user}</strong>`);
          if (options.pageShows) expect(html).toContain(options.pageShows);
          const rows = flagRows(html);
          expect(Object.keys(rows).sort()).toEqual([...DEMO_FLAGS].sort());
          for (const flag of DEMO_FLAGS) {
            const expected = reference.explain(flag, { userId: user });
            expect(rows[flag], `${flag} for ${user}`).toEqual({
              enabled: expected.enabled,
              reason: expected.reason,
            });
          }
          // What the flags do to the page.
          expect(html.includes('<body class="dark">')).toBe(rows.dark_mode.enabled);
          expect(html.includes('id="beta-banner"')).toBe(rows.beta_banner.enabled);
          expect(html.includes('data-layout="cards"')).toBe(rows.new_layout.enabled);
        }
      } finally {
        await reference.close();
      }
      // flags.yaml lists alice and carol for the beta banner.
      expect(flagRows(await page(`${demo!.url}/?user=alice`)).beta_banner.enabled).toBe(true);
      expect(flagRows(await page(`${demo!.url}/?user=bob`)).beta_banner.enabled).toBe(false);
    });

    it('remembers the chosen user in a cookie, links the dashboard and follows its event stream', async () => {
      const res = await fetch(`${demo!.url}/?user=carol`);
      const cookie = res.headers.get('set-cookie')!.split(';')[0];
      await res.text();
      const html = await page(`${demo!.url}/`, { cookie });
      expect(html).toContain('<strong id="current-user">carol</strong>');
      expect(html).not.toContain('http-equiv="refresh"');
      expect(html).toContain('<a href="/_flags">');
      expect(html).toContain("new EventSource('/_flags/api/events')");
      const dashboard = await fetch(`${demo!.url}/_flags`);
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('holiday_banner');
    });

    it('follows a saved edit of flags.yaml without a restart', async () => {
      const before = flagRows(await page(`${demo!.url}/?user=bob`));
      expect(before.holiday_banner.enabled).toBe(false);
      expect(before.dark_mode.enabled).toBe(true);
      const pid = demo!.child.pid;

      const edited = readFileSync(flagsFile, 'utf8')
        .replace(/(holiday_banner:[\s\S]*?enabled:) false/, '$1 true')
        .replace(/(dark_mode:[\s\S]*?enabled:) true/, '$1 false');
      expect(edited).not.toBe(readFileSync(flagsFile, 'utf8'));
      writeFileSync(flagsFile, edited);

      let html = '';
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        html = await page(`${demo!.url}/?user=bob`);
        if (flagRows(html).holiday_banner.enabled) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const after = flagRows(html);
      expect(after.holiday_banner).toEqual({ enabled: true, reason: 'strategy-matched' });
      expect(after.dark_mode).toEqual({ enabled: false, reason: 'disabled' });
      expect(html).toContain('id="holiday-banner"');
      expect(html).not.toContain('<body class="dark">');
      expect(demo!.child.pid).toBe(pid);
      expect(demo!.child.exitCode).toBeNull();
    });

    const runToExit = (env: Record<string, string>) => runDemoToExit(exampleDir, options.entry, env);

    it('stops at startup with one line when an Unleash variable is missing', async () => {
      const { code, lines } = await runToExit({
        UNLEASH_URL: 'http://127.0.0.1:9/api',
        UNLEASH_API_TOKEN: '',
      });
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^flagwise demo: UNLEASH_API_TOKEN is not set/);
    });
    const demoLines = (lines: string[]) => lines.filter((line) => line.startsWith('flagwise demo'));

    it('stops at startup with one line naming the line of an invalid flags file', async () => {
      const invalid = path.join(workDir, 'invalid.yaml');
      writeFileSync(invalid, 'flags:\n  dark_mode: maybe\n');
      const { code, lines } = await runToExit({ FLAGWISE_FLAGS_FILE: invalid });
      expect(code).toBe(1);
      expect(demoLines(lines)).toEqual([
        expect.stringMatching(
          /^flagwise demo: .*invalid\.yaml:2:3: dark_mode must be true, false or a flag object/,
        ),
      ]);
    });

    it('stops at startup with one line when the flags file is missing', async () => {
      const { code, lines } = await runToExit({ FLAGWISE_FLAGS_FILE: path.join(workDir, 'missing.yaml') });
      expect(code).toBe(1);
      expect(demoLines(lines)).toEqual([
        expect.stringMatching(/^flagwise demo: .*missing\.yaml: no such file/),
      ]);
    });

    it('says the port is taken, once, and stops, announcing no address', async () => {
      const taken = createServer().listen(0, '127.0.0.1');
      await once(taken, 'listening');
      try {
        const { port } = taken.address() as AddressInfo;
        const { code, lines } = await runToExit({ FLAGWISE_FLAGS_FILE: flagsFile, PORT: String(port) });
        expect(code).toBe(1);
        expect(demoLines(lines)).toEqual([
          expect.stringMatching(
            /^flagwise demo: .*EADDRINUSE.*: the port is taken, run with another one, e\.g\. PORT=3001/,
          ),
        ]);
      } finally {
        taken.close();
      }
    });

    it('with Unleash unreachable, starts with every flag off and keeps retrying, as it says', async () => {
      const closed = createServer().listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      const backups = mkdtempSync(path.join(tmpdir(), 'flagwise-demo-backup-'));
      let unreachable: Demo | undefined;
      try {
        unreachable = await startDemo(exampleDir, options.entry, {
          UNLEASH_URL: `http://127.0.0.1:${port}/api`,
          UNLEASH_API_TOKEN: 'default:development.demo-token',
          FLAGWISE_BACKUP_PATH: backups,
        });
        expect(unreachable.output()).toMatch(/keeps retrying/);
        expect(unreachable.output()).toMatch(
          /flagwise demo on http:\/\/127\.0\.0\.1:\d+ \(flags from unleash\(.*\) not loaded yet: every flag is off until they load\)/,
        );
        const rows = flagRows(await page(`${unreachable.url}/?user=alice`));
        expect(Object.keys(rows).sort()).toEqual([...DEMO_FLAGS].sort());
        for (const flag of DEMO_FLAGS) expect(rows[flag].enabled, flag).toBe(false);
        expect(unreachable.child.exitCode).toBeNull();
      } finally {
        await stopDemo(unreachable);
        rmSync(backups, { recursive: true, force: true });
      }
    });
  });
}
