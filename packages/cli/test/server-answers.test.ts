// What the built bin prints when the server at UNLEASH_URL answers with hostile text, or not at all: pull, diff,
// push (admin API) and the commands that read definitions (client API), against a real HTTP server on loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BinResult, builtBin } from './bin.js';
import { type FakeAnswer, type FakeServer, fakeServer } from './fake-server.js';

/** Sets the terminal's title, clears the screen, and a C1 CSI (0x9b) that turns the text red. */
const ESCAPES = '\u001b]0;owned\u0007\u001b[2J\u009b31m';
/** What a terminal shows of ESCAPES once the CLI has made it safe. */
const SHOWN_ESCAPES = '^[]0;owned^G^[[2J^[[31m';
const HUGE = 'A'.repeat(5_000_000);
/** A control character (tested within a line: the newlines that end the CLI's own lines are not in it). */
const CONTROL = /\p{Cc}/u;

const bin = builtBin('server-answers');
let cwd: string;
let server: FakeServer | undefined;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'flagwise-server-answers-'));
  writeFileSync(join(cwd, 'flags.yaml'), 'flags:\n  checkout: true\n');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const target = ['--project', 'default', '--env', 'development'];

function run(args: string[], env: Record<string, string>): Promise<BinResult> {
  return bin.run(args, { cwd, env: { UNLEASH_ADMIN_TOKEN: 'admin-token', ...env } });
}

/** The admin API of an Unleash 7.5.1 with one project and environment; `routes` replace or add answers. */
function adminApi(routes: Record<string, FakeAnswer> = {}) {
  const all: Record<string, FakeAnswer> = {
    'GET /api/admin/ui-config': { json: { version: '7.5.1' } },
    'GET /api/admin/projects': { json: { projects: [{ id: 'default' }] } },
    'GET /api/admin/environments/project/default': {
      json: { environments: [{ name: 'development', enabled: true }] },
    },
    'GET /api/admin/segments': { json: { segments: [] } },
    'GET /api/admin/projects/default/features': { json: { features: [] } },
    'GET /api/admin/strategies': { json: { strategies: [{ name: 'default' }, { name: 'flexibleRollout' }] } },
    ...routes,
  };
  return (method: string, path: string): FakeAnswer | undefined => {
    const answer = all[`${method} ${path}`];
    if (answer !== undefined) return answer;
    if (method === 'GET' && path.endsWith('/variants')) return { json: { variants: [] } };
    if (method === 'GET' && path.endsWith('/tags')) return { json: { tags: [] } };
    return undefined;
  };
}

/** Every line is free of control characters and no longer than `max`. */
function expectSafe(output: string, max: number): void {
  const lines = output.split('\n');
  for (const line of lines) {
    expect(line).not.toMatch(CONTROL);
    expect(line.length).toBeLessThanOrEqual(max);
  }
}

describe('pull, diff and push show what the server says, bounded and without control characters', () => {
  const commands = [['pull', '--out', '-'], ['diff'], ['push']];

  it.each(commands)(
    '%s: a 5 MB server version with escape sequences is one short, safe line',
    async (...command) => {
      server = await fakeServer(
        adminApi({ 'GET /api/admin/ui-config': { json: { version: `${ESCAPES}${HUGE}` } } }),
      );
      const { code, stdout, stderr } = await run([...command, ...target], { UNLEASH_URL: server.url });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n')).toHaveLength(2);
      expectSafe(stderr, 2_100);
      expect(stderr).toMatch(
        new RegExp(
          `^flagwise: Unleash ${escapeRegExp(SHOWN_ESCAPES)}A+…\\[4,99\\d,\\d{3} characters left out\\]…A+ lacks admin endpoints .*upgrade to 5\\.7\\.0 or later\\n$`,
        ),
      );
    },
  );

  it.each(commands)('%s: an error message with escape sequences is shown, not obeyed', async (...command) => {
    server = await fakeServer(
      adminApi({ 'GET /api/admin/projects': { status: 403, json: { message: `${ESCAPES}${HUGE}` } } }),
    );
    const { code, stderr } = await run([...command, ...target], { UNLEASH_URL: server.url });
    expect(code).toBe(2);
    expectSafe(stderr, 2_100);
    expect(stderr).toContain(`the token lacks the right to list projects (403: ${SHOWN_ESCAPES}AAA`);
    expect(stderr).toContain('characters left out');
  });

  /** Unleash holds `checkout` with a hostile description, and a flag whose name forges a workflow command. */
  const FORGED_NAME = `evil${ESCAPES}\n::error::forged`;
  const hostileProject = () =>
    adminApi({
      'GET /api/admin/projects/default/features': {
        json: { features: [{ name: 'checkout' }, { name: FORGED_NAME }] },
      },
      'GET /api/admin/projects/default/features/checkout': {
        json: {
          name: 'checkout',
          description: `${ESCAPES}${HUGE}`,
          environments: [
            {
              name: 'development',
              enabled: true,
              strategies: [{ id: 's1', name: 'default', parameters: {} }],
            },
          ],
        },
      },
      [`GET /api/admin/projects/default/features/${FORGED_NAME}`]: {
        json: { name: FORGED_NAME, environments: [{ name: 'development', enabled: false, strategies: [] }] },
      },
    });

  it.each(['text', 'github'])(
    'diff --format %s: hostile names and descriptions cannot drive the terminal or forge a line',
    async (format) => {
      server = await fakeServer(hostileProject());
      const { code, stdout, stderr } = await run(['diff', ...target, '--format', format], {
        UNLEASH_URL: server.url,
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expectSafe(stdout, 10_100);
      expect(stdout).toContain(`description: "${SHOWN_ESCAPES}AAA`);
      expect(stdout).toContain(`evil${SHOWN_ESCAPES}^J::error::forged`);
      // every workflow command is one the CLI wrote
      for (const line of stdout.split('\n').filter((line) => line.startsWith('::'))) {
        expect(line).toMatch(/^::(warning|error|notice) /);
      }
      expect(stdout).not.toMatch(/^::error::forged/m);
    },
  );

  it('diff --format json: each string bounded, control characters escaped so a JSON reader gets them back', async () => {
    server = await fakeServer(hostileProject());
    const { code, stdout } = await run(['diff', ...target, '--format', 'json'], { UNLEASH_URL: server.url });
    expect(code).toBe(0);
    expectSafe(stdout, 2_100);
    const diff = JSON.parse(stdout) as {
      flags: { flag: string; changes: { field: string; before?: unknown }[] }[];
      notInFile: string[];
    };
    expect(diff.notInFile).toEqual([FORGED_NAME]);
    const description = diff.flags
      .find((flag) => flag.flag === 'checkout')
      ?.changes.find((change) => change.field === 'description')?.before as string;
    expect(description.startsWith(`${ESCAPES}AAA`)).toBe(true);
    expect(description).toMatch(/characters left out/);
    expect(description.length).toBeLessThanOrEqual(1_000);
  });

  it('pull --out -: the file itself, exact, with every control character escaped', async () => {
    server = await fakeServer(hostileProject());
    const { code, stdout } = await run(['pull', ...target, '--out', '-'], { UNLEASH_URL: server.url });
    expect(code).toBe(0);
    expect(stdout.replace(/\n/g, '')).not.toMatch(CONTROL);
    expect(stdout).toContain(`description: "${'\\e]0;owned\\a\\e[2J\\u009b31m'}AAA`);
  });
});

describe('the commands that read definitions from Unleash show its names and values safely', () => {
  const EVIL = `evil${ESCAPES}`;
  /** The client API: one flag whose name, constraint value, payload and dependency carry escape sequences. */
  const clientApi = (method: string, path: string): FakeAnswer | undefined => {
    if (method === 'POST') return { status: 202, json: {} };
    if (path !== '/api/client/features') return undefined;
    return {
      json: {
        version: 2,
        features: [
          {
            name: EVIL,
            enabled: true,
            strategies: [
              {
                name: 'default',
                constraints: [{ contextName: 'userId', operator: 'IN', values: [`${ESCAPES}${HUGE}`] }],
              },
            ],
            variants: [
              { name: `v${ESCAPES}`, weight: 1000, payload: { type: 'string', value: `${ESCAPES}${HUGE}` } },
            ],
            dependencies: [{ feature: `missing${ESCAPES}${HUGE}` }],
          },
        ],
      },
    };
  };
  const env = () => ({ UNLEASH_URL: `${server?.url}/api`, UNLEASH_API_TOKEN: 'default:development.token' });

  it.each([
    [['validate'], 1],
    [['validate', '--format', 'github'], 1],
    [['explain', '--all'], 0],
    [['explain', EVIL], 0],
    [['explain', EVIL, '--format', 'json'], 0],
    [['types'], 0],
  ])('%j', async (args, exitCode) => {
    server = await fakeServer(clientApi);
    const { code, stdout, stderr } = await run(args, env());
    expect(stderr).toBe('');
    expect(code).toBe(exitCode);
    expectSafe(stdout, 2_100);
    expect(stdout).toMatch(
      /evil(\^\[\]0;owned\^G\^\[\[2J\^\[\[31m|\\u001b\]0;owned\\u0007\\u001b\[2J\\u009b31m)/,
    );
  });

  it('validate --format json: the names come back exact from the JSON, each bounded', async () => {
    server = await fakeServer(clientApi);
    const { code, stdout } = await run(['validate', '--format', 'json'], env());
    expect(code).toBe(1);
    expectSafe(stdout, 2_100);
    const [problem] = (JSON.parse(stdout) as { problems: { message: string }[] }).problems;
    expect(problem.message).toMatch(
      new RegExp(`^flag "${escapeRegExp(EVIL)}" depends on "missing${escapeRegExp(ESCAPES)}A+…`),
    );
    expect(problem.message.length).toBeLessThanOrEqual(1_000);
  });
});

describe('--timeout on pull, diff and push', () => {
  it.each([['pull'], ['diff'], ['push']])(
    '%s gives up on a server that never answers after --timeout ms',
    async (command) => {
      server = await fakeServer(() => 'never');
      const { code, stdout, stderr } = await run([command, ...target, '--timeout', '300'], {
        UNLEASH_URL: server.url,
      });
      // On a busy machine the CLI may give up before the request reaches the server: what it asked, if anything,
      // is the server version.
      expect(['GET /api/admin/ui-config']).toEqual(expect.arrayContaining(server.requests));
      expect({ code, stdout, stderr }).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'flagwise: Unleash did not answer within 300 ms to read the server version: check UNLEASH_URL, or allow longer (timeoutMs; --timeout for flagwise)\n',
      });
    },
  );

  it('diff gives up on a server that sends its headers and then nothing', async () => {
    server = await fakeServer(() => 'stall');
    const { code, stderr } = await run(['diff', ...target, '--timeout', '300'], { UNLEASH_URL: server.url });
    expect(code).toBe(2);
    expect(stderr).toBe(
      'flagwise: Unleash did not answer within 300 ms to read the server version: check UNLEASH_URL, or allow longer (timeoutMs; --timeout for flagwise)\n',
    );
  });

  it('rejects a --timeout that is not a number of milliseconds', async () => {
    const { code, stderr } = await run(['diff', ...target, '--timeout', 'soon'], {
      UNLEASH_URL: 'http://127.0.0.1:1',
    });
    expect(code).toBe(2);
    expect(stderr).toBe('flagwise: --timeout must be a whole number of milliseconds, got "soon"\n');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
