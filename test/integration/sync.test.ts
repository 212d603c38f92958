// Flags file ⇄ a real unleash-server 7.5.1 through @flagwise/unleash/admin: push a file that uses every
// short-format feature, pull it back, and check the pulled file, the original and what Unleash serves to SDKs
// evaluate the same; then the safety rules of push (no-op rerun, prune, rights, concurrent changes).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClientFeaturesPayload, type FlagContext, parseFlagsFile } from '@flagwise/core';
import {
  ConcurrentChangeError,
  diffFlagsFile,
  formatDiff,
  formatPushReport,
  hasChanges,
  pullFlagsFile,
  pushFlagsFile,
  readRemoteState,
  UnleashAdminClient,
} from '@flagwise/unleash/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(async () => {
  await admin.createContextField('plan');
  await admin.createContextField('country');
});

afterAll(async () => {
  const names = (await client.featureNames('default')).filter((flag) => flag.startsWith(prefix));
  await admin.archive(names);
});

describe('push and pull against a real Unleash', () => {
  it('push --apply of every short-format feature onto an empty project, then pull, evaluates the same', async () => {
    const before = await diffFlagsFile(client, scope, original, 'flags.yaml');
    expect(before.flags.every((flag) => flag.action === 'create')).toBe(true);
    expect(before.flags.length).toBe(parseFlagsFile(original, 'flags.yaml').definitions.features.length);

    const report = await pushFlagsFile(client, scope, original, 'flags.yaml', { apply: true });
    expect(report.failed?.error.message).toBeUndefined();
    expect(report.written).toEqual(expect.arrayContaining(before.flags.map((flag) => flag.flag)));

    const pulled = await pullFlagsFile(client, scope, { path: 'flags.yaml' });
    expect(pulled.unleashShaped).toEqual([]);
    const originalDefinitions = parseFlagsFile(original, 'flags.yaml').definitions;
    const pulledDefinitions = parseFlagsFile(pulled.text, 'flags.yaml').definitions;
    const names = originalDefinitions.features.map((feature) => feature.name);
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
  });

  it('a second push changes nothing', async () => {
    const again = await pushFlagsFile(client, scope, original, 'flags.yaml', { apply: true });
    expect(formatDiff(again.diff, 'text')).toMatch(/^No differences/);
    expect(hasChanges(again.diff)).toBe(false);
    expect(again.written).toEqual([]);
  });

  it('a change made through the admin API shows in diff, field by field', async () => {
    await admin.setEnabled(name('on'), false);
    const diff = await diffFlagsFile(client, scope, original, 'flags.yaml');
    expect(diff.flags).toEqual([
      { flag: name('on'), action: 'update', changes: [{ field: 'enabled', before: false, after: true }] },
    ]);
    expect(formatDiff(diff, 'text')).toContain(`~ flag ${name('on')} (update)\n    enabled: false → true`);
    expect(formatDiff(diff, 'github', { file: 'flags.yaml' })).toContain(
      `::warning file=flags.yaml,title=flag ${name('on')}%3A update in Unleash::enabled: false → true`,
    );
    const json = JSON.parse(formatDiff(diff, 'json'));
    expect(json.changed).toBe(true);
    // pushing it puts the file's value back
    const report = await pushFlagsFile(client, scope, original, 'flags.yaml', { apply: true });
    expect(report.written).toEqual([name('on')]);
    expect(hasChanges(await diffFlagsFile(client, scope, original, 'flags.yaml'))).toBe(false);
  });

  it('leaves flags that are not in the file alone, and archives them with prune', async () => {
    expect(withoutOff).not.toBe(original);
    const dry = await pushFlagsFile(client, scope, withoutOff, 'flags.yaml', { apply: true });
    expect(dry.written).toEqual([]);
    expect(dry.diff.notInFile).toEqual([name('off-with-rules')]);

    const pruned = await pushFlagsFile(client, scope, withoutOff, 'flags.yaml', { apply: true, prune: true });
    expect(pruned.diff.flags).toEqual([{ flag: name('off-with-rules'), action: 'archive', changes: [] }]);
    expect(pruned.written).toEqual([name('off-with-rules')]);
    expect(await client.feature('default', name('off-with-rules'))).toBeUndefined();
    const archived = (await (
      await fetch(`${h.url}/api/admin/search/features?project=IS:default&archived=IS:true&query=${prefix}`, {
        headers: { Authorization: h.adminToken },
      })
    ).json()) as { features: { name: string }[] };
    expect(archived.features.map((feature) => feature.name)).toContain(name('off-with-rules'));
  });

  it('answers a client token with what token to use instead', async () => {
    const withClientToken = new UnleashAdminClient({ url: h.apiUrl, token: h.clientToken });
    await expect(diffFlagsFile(withClientToken, scope, original, 'flags.yaml')).rejects.toThrow(
      /client or frontend token.*admin API token.*personal access token/,
    );
    const unknown = new UnleashAdminClient({ url: h.url, token: '*:*.not-a-real-token' });
    await expect(pullFlagsFile(unknown, scope, { path: 'flags.yaml' })).rejects.toThrow(
      /refused the token \(401\)/,
    );
  });

  it('refuses, before writing anything, an operator this Unleash does not know', async () => {
    const newer = `flags:\n  "${name('newer')}": { when: { version: { semver_gte: 2.0.0 } } }\n`;
    await expect(pushFlagsFile(client, scope, newer, 'flags.yaml', { apply: true })).rejects.toThrow(
      /Unleash 7\.5\.1 does not know the constraint operator\(s\) SEMVER_GTE \(.*newer\); nothing was written/,
    );
    expect(await client.feature('default', name('newer'))).toBeUndefined();
  });

  it('refuses a project or environment that does not exist', async () => {
    await expect(
      diffFlagsFile(client, { ...scope, project: 'no-such-project' }, original, 'flags.yaml'),
    ).rejects.toThrow(/no project "no-such-project"; its projects: default/);
    await expect(
      diffFlagsFile(client, { ...scope, environment: 'nowhere' }, original, 'flags.yaml'),
    ).rejects.toThrow(/no environment "nowhere"; its environments: development, production/);
  });

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
