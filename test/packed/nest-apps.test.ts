// A Nest 12 app as a new user makes one, outside the repo: `npm install` of the packed @flagwise/nestjs (with the
// packed @flagwise/core and @flagwise/testing it depends on) beside @nestjs/common, core and platform-express 12,
// without --force or --legacy-peer-deps. The Nest README's app, flags.yaml and tsconfig.json, as pasted, are built
// twice, as an ESM app and as a CommonJS app (the two ways Nest 12 apps are built), and each answers 404, then 200
// once flags.yaml turns the flag on, as the README says. The apps run on the Node that runs this suite
// (`.ci/run` runs it on each supported Node).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'packages/nestjs/README.md'), 'utf8');
const json = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
/** The versions the Nest 12 conformance rows run. */
const nest12: Record<string, string> = json('test/nest12/package.json').dependencies;

/** The README's block of `language` that contains `marker`, as pasted. */
function readmeBlock(language: string, marker: string): string {
  const blocks = [...readme.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))];
  const block = blocks.map((match) => match[1]).find((code) => code.includes(marker));
  if (block === undefined)
    throw new Error(`packages/nestjs/README.md has no ${language} block with ${marker}`);
  return block;
}

const APP = readmeBlock('ts', 'NestFactory.create(AppModule)');
const FLAGS_YAML = readmeBlock('yaml', 'new-checkout');
const TSCONFIG = readmeBlock('jsonc', '"module": "nodenext"');
const FLAG_ON = FLAGS_YAML.replace(/^( {2}new-checkout:).*$/m, '$1 true');

let project: string;
let installOutput = '';

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'flagwise-nest-app-'));
  const packs = path.join(project, 'packs');
  mkdirSync(packs);
  const tarballs: Record<string, string> = {};
  for (const name of ['core', 'testing', 'nestjs']) {
    const dir = path.join(root, 'packages', name);
    if (!existsSync(path.join(dir, 'dist'))) execFileSync('pnpm', ['build'], { cwd: dir, stdio: 'pipe' });
    const out = execFileSync('pnpm', ['pack', '--pack-destination', packs], { cwd: dir, encoding: 'utf8' });
    const tarball = out.trim().split('\n').at(-1)!.trim();
    tarballs[`@flagwise/${name}`] = path.isAbsolute(tarball)
      ? tarball
      : path.join(packs, path.basename(tarball));
  }
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'nest-app', private: true }));
  // What a user types: the packages at the versions the Nest 12 rows run, and Node's types for the tsconfig.
  const nestPackages = [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/platform-express',
    'reflect-metadata',
    'rxjs',
  ];
  const nodeTypes = json('node_modules/@types/node/package.json').version;
  installOutput = npm(project, [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=warn',
    ...Object.values(tarballs),
    ...nestPackages.map((name) => `${name}@${nest12[name]}`),
    `@types/node@${nodeTypes}`,
  ]).output;
}, 300_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

it('installs with npm, peers and all, without --force or --legacy-peer-deps', () => {
  expect(installOutput).not.toMatch(/ERESOLVE|peer dep/i);
  // npm ls exits non-zero on a missing or invalid (peer) dependency anywhere in the tree.
  const tree = npm(project, ['ls', '--all', '--json']);
  const installed = JSON.parse(tree.stdout).dependencies;
  expect(installed['@nestjs/core'].version).toBe(nest12['@nestjs/core']);
  expect(installed['@flagwise/nestjs'].dependencies['@flagwise/core'].version).toBe(
    installed['@flagwise/core'].version,
  );
});

describe.each([
  ['an ESM app', 'module'],
  ['a CommonJS app', 'commonjs'],
] as const)('the README app as %s', (_title, type) => {
  let app: string;

  beforeAll(() => {
    app = path.join(project, type);
    mkdirSync(path.join(app, 'src'), { recursive: true });
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: `nest-app-${type}`, type }));
    writeFileSync(path.join(app, 'tsconfig.json'), TSCONFIG);
    writeFileSync(path.join(app, 'src/main.ts'), APP);
  });

  it('compiles with the README tsconfig', () => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' });
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    }
    expect(output).toBe('');
    const compiled = readFileSync(path.join(app, 'dist/main.js'), 'utf8');
    expect(compiled).toMatch(
      type === 'module' ? /^import .* from '@nestjs\/core';$/m : /require\("@nestjs\/core"\)/,
    );
  }, 60_000);

  it(`answers 404, then 200 once flags.yaml turns new-checkout on, on Node ${process.versions.node}`, async () => {
    writeFileSync(path.join(app, 'flags.yaml'), FLAGS_YAML);
    const server = await startApp(app);
    try {
      const off = await fetch(`${server.url}/checkout`);
      expect(off.status).toBe(404);
      expect(await off.json()).toEqual({
        message: 'Cannot GET /checkout',
        error: 'Not Found',
        statusCode: 404,
      });

      writeFileSync(path.join(app, 'flags.yaml'), FLAG_ON);
      // The file source reloads on its own: poll until the app answers from the new file.
      await expect
        .poll(async () => (await fetch(`${server.url}/checkout`)).status, { timeout: 10_000, interval: 50 })
        .toBe(200);
      const on = await fetch(`${server.url}/checkout`);
      expect(await on.json()).toEqual({
        copy: expect.stringMatching(/^(control|short)$/),
        pricing: expect.stringMatching(/^(new|old)$/),
      });
    } finally {
      await server.stop();
    }
    expect(server.output()).toMatch(/Nest application successfully started/);
    expect(server.output()).not.toMatch(/ERROR/);
  }, 60_000);
});

/**
 * Runs npm as a user's shell would (without the npm_config_* settings pnpm passes down): what it printed on
 * stdout and on both, or throws with both when it fails.
 */
function npm(cwd: string, args: string[]): { stdout: string; output: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`npm ${args[0]} exited with ${result.status}:\n${output}`);
  return { stdout: result.stdout, output };
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Runs the app's dist/main.js (flags.yaml in its folder) and waits until it answers, or fails with its output. */
async function startApp(app: string) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
    cwd: app,
    env: { ...process.env, PORT: String(port), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    const running = await Promise.race([
      fetch(url).then(
        () => true,
        () => false,
      ),
      exited.then(() => {
        throw new Error(`the app exited:\n${output}`);
      }),
    ]);
    if (running) break;
    if (Date.now() - started > 20_000) throw new Error(`the app did not answer within 20 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    output: () => output,
    async stop() {
      child.kill();
      await exited;
    },
  };
}
