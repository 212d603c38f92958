// Flags file ⇄ a real unleash-server (7.5.1 and 8.x) through the built `flagwise` bin (pull, diff, push as child
// processes): push a file that uses every short-format feature, pull it back, and check the pulled file, the
// original and what Unleash serves to SDKs evaluate the same; then the safety rules of push (no-op rerun, prune,
// rights, refusals). A concurrent change needs a change between the diff and the write inside one push, so that
// one goes through @flagwise/unleash/admin, with the diff's state handed in.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClientFeaturesPayload, type FlagContext, parseFlagsFile } from '@flagwise/core';
import {
  ConcurrentChangeError,
  diffFlagsFile,
  formatPushReport,
  hasChanges,
  pushFlagsFile,
  readRemoteState,
  UnleashAdminClient,
} from '@flagwise/unleash/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltBin, buildBin } from '../../packages/cli/test/bin.js';
import { compileFlags } from '../../packages/core/src/engine/index.js';
import { randomContext, seededRandom } from '../differential/generator.js';
import { AdminApi, harness, uniquePrefix, waitUntil } from './harness.js';

const h = harness();
const admin = new AdminApi(h);
const prefix = uniquePrefix('sync');
const scope = { project: 'default', environment: 'development', prefix };
const client = new UnleashAdminClient({ url: h.url, token: h.adminToken });
const here = dirname(fileURLToPath(import.meta.url));
const original = readFileSync(join(here, 'fixtures', 'sync-flags.yaml'), 'utf8').replaceAll('{P}', prefix);
const name = (suffix: string) => `${prefix}${suffix}`;
/** the file without one flag, which prune archives */
const withoutOff = original.replace(/^ {2}"[^"]+off-with-rules".*\n/m, '');
const CONTEXTS = 600;

/** Evaluates every flag for every context with the core engine; random draws come from one fixed sequence. */
function outcomes(definitions: ClientFeaturesPayload, names: string[], contexts: FlagContext[]): string[] {
  const flags = compileFlags(definitions);
  const realRandom = Math.random;
  const results: string[] = [];
  try {
    for (const flag of names) {
      for (const context of contexts) {
        // the same draws for each side, so a random-stickiness flag compares like any other
        Math.random = seededRandom(results.length + 1);
        const variant = flags.getVariant(flag, context);
        results.push(
          JSON.stringify([
            flags.isEnabled(flag, context),
            variant.name,
            variant.enabled,
            variant.payload ?? null,
          ]),
        );
      }
    }
  } finally {
    Math.random = realRandom;
  }
  return results;
}

function disagreements(a: string[], b: string[]): number {
  return a.filter((outcome, index) => outcome !== b[index]).length;
}

let bin: BuiltBin;
let cwd: string;
const env = { UNLEASH_URL: h.url, UNLEASH_ADMIN_TOKEN: h.adminToken };
const target = ['--project', 'default', '--env', 'development', '--prefix', prefix];
/** Runs `flagwise <command> ...target` in the scratch directory, with the admin token. */
const flagwise = (command: string, ...args: string[]) => bin.run([command, ...args, ...target], { cwd, env });

beforeAll(async () => {
  bin = buildBin('sync');
  cwd = mkdtempSync(join(tmpdir(), 'flagwise-sync-'));
  writeFileSync(join(cwd, 'flags.yaml'), original);
  writeFileSync(join(cwd, 'without-off.yaml'), withoutOff);
  await admin.createContextField('plan');
  await admin.createContextField('country');
});

afterAll(async () => {
  bin?.remove();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  const names = (await client.featureNames('default')).filter((flag) => flag.startsWith(prefix));
  await admin.archive(names);
});

describe('flagwise pull, diff and push against a real Unleash', () => {
  it('push --apply of every short-format feature onto an empty project, then pull, evaluates the same', async () => {
    const names = parseFlagsFile(original, 'flags.yaml').definitions.features.map((feature) => feature.name);
    const before = await flagwise('diff', 'flags.yaml', '--exit-code', '--format', 'json');
    expect(before.code).toBe(1);
    const planned = JSON.parse(before.stdout) as { flags: { flag: string; action: string }[] };
    expect(planned.flags.map((flag) => flag.action)).toEqual(names.map(() => 'create'));

    const pushed = await flagwise('push', 'flags.yaml', '--apply');
    expect(pushed).toMatchObject({ code: 0, stderr: '' });
    expect(pushed.stdout).toContain(`+ flag ${name('rules')} (create)`);
    expect(pushed.stdout).toMatch(/^Written: strategy type userWithId|Written: segment /m);

    const pulled = await flagwise('pull', '--out', 'pulled.yaml');
    expect(pulled).toMatchObject({ code: 0, stderr: '' });
    expect(pulled.stdout).toBe(
      `wrote pulled.yaml: ${names.length} flags from project default, environment development\n`,
    );
    const pulledText = readFileSync(join(cwd, 'pulled.yaml'), 'utf8');
    // the flag pushed in Unleash's own shape fits the short format once Unleash has it
    expect(pulledText).not.toContain('unleash:');
    const originalDefinitions = parseFlagsFile(original, 'flags.yaml').definitions;
    const pulledDefinitions = parseFlagsFile(pulledText, 'pulled.yaml').definitions;
    expect(pulledDefinitions.features.map((feature) => feature.name).sort()).toEqual([...names].sort());

    const random = seededRandom(17);
    const contexts = Array.from({ length: CONTEXTS }, () => randomContext(random));
    const expected = outcomes(originalDefinitions, names, contexts);
    expect(expected.length).toBeGreaterThanOrEqual(10_000);
    expect(disagreements(expected, outcomes(pulledDefinitions, names, contexts))).toBe(0);

    // and what Unleash serves its SDKs (up to 1 s behind the admin API) evaluates the same
    let served: ClientFeaturesPayload | undefined;
    await waitUntil(
      async () => {
        const response = await fetch(`${h.url}/api/client/features`, {
          headers: { Authorization: h.clientToken, 'Unleash-Client-Spec': '5.2.0' },
        });
        served = (await response.json()) as ClientFeaturesPayload;
        return names.every((flag) => served?.features.some((feature) => feature.name === flag));
      },
      'the pushed flags in the client API',
      5_000,
    );
    expect(disagreements(expected, outcomes(served!, names, contexts))).toBe(0);

    // the pulled file pushes as a no-op too
    const fromPulled = await flagwise('diff', 'pulled.yaml', '--exit-code');
    expect(fromPulled.code).toBe(0);
  });

  it('a second push changes nothing', async () => {
    const again = await flagwise('push', 'flags.yaml', '--apply');
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toBe(
      'No differences with Unleash (project default, environment development).\n' +
        'Nothing to write: Unleash already matches the file.\n',
    );
    expect((await flagwise('diff', 'flags.yaml', '--exit-code')).code).toBe(0);
  });

  it('a change made through the admin API shows in diff, field by field, in every format', async () => {
    await admin.setEnabled(name('on'), false);
    const json = await flagwise('diff', 'flags.yaml', '--format', 'json', '--exit-code');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      changed: true,
      flags: [
        { flag: name('on'), action: 'update', changes: [{ field: 'enabled', before: false, after: true }] },
      ],
    });
    const text = await flagwise('diff', 'flags.yaml');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`~ flag ${name('on')} (update)\n    enabled: false → true\n1 to update.`);
    const github = await flagwise('diff', 'flags.yaml', '--format', 'github');
    const line = original.split('\n').findIndex((text) => text.startsWith(`  "${name('on')}": true`)) + 1;
    expect(github.stdout).toContain(
      `::warning file=flags.yaml,line=${line},title=flag ${name('on')}%3A update in Unleash::enabled: false → true\n`,
    );
    // a dry run prints the same and writes nothing
    const dry = await flagwise('push', 'flags.yaml');
    expect(dry.stdout).toContain('Dry run: nothing was written; add --apply to write.');
    expect((await flagwise('diff', 'flags.yaml', '--exit-code')).code).toBe(1);
    // pushing puts the file's value back
    const pushed = await flagwise('push', 'flags.yaml', '--apply');
    expect(pushed.stdout).toContain(`Written: ${name('on')}\n`);
    expect((await flagwise('diff', 'flags.yaml', '--exit-code')).code).toBe(0);
  });

  it('leaves flags that are not in the file alone, and archives them with --prune', async () => {
    expect(withoutOff).not.toBe(original);
    const kept = await flagwise('push', 'without-off.yaml', '--apply');
    expect(kept.stdout).toContain(
      `Not in the file, left alone (--prune archives them): ${name('off-with-rules')}`,
    );
    expect(await client.feature('default', name('off-with-rules'))).toBeDefined();

    const pruned = await flagwise('push', 'without-off.yaml', '--apply', '--prune');
    expect(pruned).toMatchObject({ code: 0, stderr: '' });
    expect(pruned.stdout).toContain(`- flag ${name('off-with-rules')} (archive)`);
    expect(pruned.stdout).toContain(`Written: ${name('off-with-rules')}\n`);
    expect(await client.feature('default', name('off-with-rules'))).toBeUndefined();
    const archived = (await (
      await fetch(`${h.url}/api/admin/search/features?project=IS:default&archived=IS:true&query=${prefix}`, {
        headers: { Authorization: h.adminToken },
      })
    ).json()) as { features: { name: string }[] };
    expect(archived.features.map((feature) => feature.name)).toContain(name('off-with-rules'));
  });

  it('reports exactly what it wrote when Unleash refuses a write part way, and picks up from there', async () => {
    const partial = (tag: string) =>
      `flags:\n  "${name('partial-a')}": { rollout: 20 }\n  "${name('partial-b')}": { rollout: 30, tags: ["${tag}"] }\n`;
    // Unleash wants tag values of two characters or more
    writeFileSync(join(cwd, 'partial.yaml'), partial('simple:x'));
    const failed = await flagwise('push', 'partial.yaml', '--apply');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `Written: ${name('partial-a')}\n` +
        `Stopped at ${name('partial-b')}: Unleash could not tag ${name('partial-b')} (400: The \`/body/value\` property must NOT have fewer than 2 characters. You sent "x".)\n` +
        `  done for ${name('partial-b')} before it stopped: create; add strategies[0]; turn on\n`,
    );
    writeFileSync(join(cwd, 'partial.yaml'), partial('simple:xy'));
    const resumed = await flagwise('push', 'partial.yaml', '--apply');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(
      `~ flag ${name('partial-b')} (update)\n    tags: [] → ["simple:xy"]\n1 to update.`,
    );
    await admin.archive([name('partial-a'), name('partial-b')]);
  });

  it('keeps what only the flags file knows (browser) when pulling over it', async () => {
    writeFileSync(join(cwd, 'kept.yaml'), withoutOff);
    expect((await flagwise('pull', '--out', 'kept.yaml')).code).toBe(0);
    const kept = parseFlagsFile(readFileSync(join(cwd, 'kept.yaml'), 'utf8'), 'kept.yaml').definitions;
    expect(kept.features.find((feature) => feature.name === name('browser'))?.browser).toBe(true);
    expect(kept.features.filter((feature) => feature.browser).length).toBe(1);
  });

  it('answers a client token with what token to use instead', async () => {
    for (const command of ['pull', 'diff', 'push'] as const) {
      const result = await bin.run([command, ...(command === 'pull' ? ['--out', '-'] : []), ...target], {
        cwd,
        env: { UNLEASH_URL: h.apiUrl, UNLEASH_ADMIN_TOKEN: h.clientToken },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^flagwise: the token in UNLEASH_ADMIN_TOKEN is a client or frontend token, .* need an admin API token .* or a personal access token/,
      );
    }
    const unknown = await bin.run(['diff', ...target], {
      cwd,
      env: { UNLEASH_URL: h.url, UNLEASH_ADMIN_TOKEN: '*:*.not-a-real-token' },
    });
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('Unleash refused the token (401)');
    const missing = await bin.run(['diff', ...target], { cwd, env: { UNLEASH_URL: h.url } });
    expect(missing.stderr).toContain('no admin token: set UNLEASH_ADMIN_TOKEN');
  });

  // Unleash 7.5.1 has no SEMVER_GTE operator (its OpenAPI document lists what it has); 8.x has.
  it(
    h.major === '7'
      ? 'refuses, before writing anything, an operator this Unleash does not know'
      : 'writes an operator this Unleash knows and older ones do not',
    async () => {
      writeFileSync(
        join(cwd, 'newer.yaml'),
        `flags:\n  "${name('newer')}": { when: { version: { semver_gte: 2.0.0 } } }\n`,
      );
      const pushed = await flagwise('push', 'newer.yaml', '--apply');
      if (h.major === '7') {
        expect(pushed.code).toBe(2);
        expect(pushed.stderr).toMatch(
          /Unleash 7\.5\.1 does not know the constraint operator\(s\) SEMVER_GTE \(.*newer\); nothing was written/,
        );
        expect(await client.feature('default', name('newer'))).toBeUndefined();
        return;
      }
      expect(pushed.stderr).toBe('');
      expect(pushed.code).toBe(0);
      const written = await client.feature('default', name('newer'));
      const strategies = written?.environments?.find((entry) => entry.name === 'development')?.strategies;
      expect(strategies?.[0]?.constraints).toEqual([
        expect.objectContaining({ contextName: 'version', operator: 'SEMVER_GTE', value: '2.0.0' }),
      ]);
      await admin.archive([name('newer')]);
    },
  );

  it('refuses a project or environment that does not exist', async () => {
    const project = await bin.run(['diff', '--project', 'no-such-project', '--env', 'development'], {
      cwd,
      env,
    });
    expect(project.code).toBe(2);
    expect(project.stderr).toContain('no project "no-such-project"; its projects: default');
    const environment = await bin.run(['diff', '--project', 'default', '--env', 'nowhere'], { cwd, env });
    expect(environment.stderr).toContain(
      'no environment "nowhere"; its environments: development, production',
    );
  });
});

describe('push through @flagwise/unleash/admin', () => {
  it('stops when a flag changes in Unleash after the diff, and reports what it wrote', async () => {
    const edited = withoutOff
      .replace(`"${name('sticky')}": { rollout: 50`, `"${name('sticky')}": { rollout: 55`)
      .replace(`"${name('by-field')}": { rollout: 75`, `"${name('by-field')}": { rollout: 85`);
    // the state the diff is computed from; then someone turns by-field off in Unleash
    const remote = await readRemoteState(client, scope);
    await admin.setEnabled(name('by-field'), false);

    const stopped = await pushFlagsFile(client, scope, edited, 'flags.yaml', { apply: true, remote });
    expect(stopped.diff.flags.map((flag) => flag.flag)).toEqual([name('sticky'), name('by-field')]);
    expect(stopped.written).toEqual([name('sticky')]);
    expect(stopped.failed?.name).toBe(name('by-field'));
    expect(stopped.failed?.error).toBeInstanceOf(ConcurrentChangeError);
    expect(stopped.failed?.error.message).toMatch(
      /changed in Unleash since the diff was computed \(enabled\)/,
    );
    expect(stopped.failed?.doneSteps).toEqual([]);
    expect(formatPushReport(stopped)).toContain(
      `Written: ${name('sticky')}\nStopped at ${name('by-field')}:`,
    );
    // by-field was not written: still off, still at 75 %
    const diff = await diffFlagsFile(client, scope, edited, 'flags.yaml');
    expect(diff.flags).toEqual([
      {
        flag: name('by-field'),
        action: 'update',
        changes: [
          { field: 'enabled', before: false, after: true },
          { field: 'strategies[0].parameters.rollout', before: '75', after: '85' },
        ],
      },
    ]);

    // with --force the same stale diff is written over the change
    const forced = await pushFlagsFile(client, scope, edited, 'flags.yaml', {
      apply: true,
      remote,
      force: true,
    });
    expect(forced.failed).toBeUndefined();
    expect(forced.written).toEqual([name('sticky'), name('by-field')]);
    expect(hasChanges(await diffFlagsFile(client, scope, edited, 'flags.yaml'))).toBe(false);
  });
});
