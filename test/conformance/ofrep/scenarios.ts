// The OFREP table: OpenFeature's own server-side OFREP provider (@openfeature/ofrep-provider, over HTTP)
// against ofrepEndpoint() mounted with each adapter's generic mount in a real app of every framework row (the
// endpoint table's rows), beside the app's route that answers from the same request's flags. The user is the
// request's: the row's context hook reads `x-user-id` and `x-plan`, which the provider sends as headers,
// standing in for the session cookie a page would send.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFlags, type FlagsClient, fileSource, ofrepEndpoint, type VariantResult } from '@flagwise/core';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { type Client, OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterRow, RunningApp } from '../contract.js';
import { openEventStream } from '../endpoints/event-stream.js';

/** Where the rows mount the endpoint; the OFREP clients' baseUrl ends with it. */
const PREFIX = '/features';

const FLAGS_FILE = fileURLToPath(new URL('./flags.yaml', import.meta.url));
const BROWSER_FLAGS = [
  'dark-mode',
  'half-rollout',
  'pro-plan',
  'beta-list',
  'checkout-copy',
  'price-tier',
  'theme',
  'killed',
  'nb-banner',
];
const HIDDEN_FLAGS = ['server-only', 'staff-tools', 'never-defined'];
const PLANS = ['free', 'pro', 'team'];
const USERS = Array.from({ length: 12 }, (_, i) => ({ id: `user-${i * 3}`, plan: PLANS[i % 3] }));

/** What OFREP answers for a flag, worked out from what req.flags says for the same request. */
function expectedValue(own: { enabled: boolean; variant: VariantResult }): unknown {
  if (!own.enabled || !own.variant.enabled) return own.enabled;
  const payload = own.variant.payload;
  if (payload === undefined) return own.variant.name;
  if (payload.type === 'number') return Number(payload.value);
  if (payload.type === 'json') return JSON.parse(payload.value);
  return payload.value;
}

export function describeOfrep(row: AdapterRow): void {
  describe(row.name, () => {
    let dir: string;
    let file: string;
    let original: string;
    let client: FlagsClient;
    let app: RunningApp;
    let baseUrl: string;
    let domains = 0;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'flagwise-ofrep-'));
      file = path.join(dir, 'flags.yaml');
      copyFileSync(FLAGS_FILE, file);
      original = readFileSync(file, 'utf8');
      client = createFlags({ source: fileSource(file, { debounceMs: 20 }) });
      await client.ready({ timeoutMs: 5000 });
      app = await row.startWithEndpoint(
        client,
        ofrepEndpoint({ trustClientContext: ['properties.locale'] }),
        PREFIX,
      );
      baseUrl = `${app.url}${PREFIX}`;
    });
    afterAll(async () => {
      await OpenFeature.close();
      await app?.close();
      await client?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const headersOf = (user: { id: string; plan: string }) => ({ 'x-user-id': user.id, 'x-plan': user.plan });

    async function ofrepAs(user: { id: string; plan: string }): Promise<Client> {
      const domain = `${row.name}-${domains++}`;
      await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl, headers: headersOf(user) }));
      return OpenFeature.getClient(domain);
    }

    async function own(user: { id: string; plan: string }, flag: string) {
      const response = await fetch(`${app.url}/flag/${flag}`, { headers: headersOf(user) });
      return (await response.json()) as { enabled: boolean; variant: VariantResult };
    }

    async function bulk(user: { id: string; plan: string }, headers: Record<string, string> = {}) {
      return fetch(`${baseUrl}/ofrep/v1/evaluate/flags`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headersOf(user), ...headers },
        body: JSON.stringify({ context: { targetingKey: 'someone-else', plan: 'pro' } }),
      });
    }

    it(`agrees with req.flags for ${USERS.length} users on every browser flag, through the OFREP provider`, async () => {
      for (const user of USERS) {
        const ofrep = await ofrepAs(user);
        for (const flag of BROWSER_FLAGS) {
          const expected = expectedValue(await own(user, flag));
          const details =
            typeof expected === 'boolean'
              ? await ofrep.getBooleanDetails(flag, !expected)
              : typeof expected === 'number'
                ? await ofrep.getNumberDetails(flag, -1)
                : typeof expected === 'string'
                  ? await ofrep.getStringDetails(flag, 'fallback')
                  : await ofrep.getObjectDetails(flag, {});
          expect(details.errorCode, `${flag} for ${user.id}`).toBeUndefined();
          expect(details.value, `${flag} for ${user.id}`).toEqual(expected);
        }
      }
    });

    it('answers a flag that is not browser-visible as not found, whoever asks', async () => {
      for (const user of USERS.slice(0, 4)) {
        const ofrep = await ofrepAs(user);
        for (const flag of HIDDEN_FLAGS) {
          expect(await ofrep.getBooleanDetails(flag, false)).toMatchObject({
            value: false,
            errorCode: 'FLAG_NOT_FOUND',
          });
        }
      }
    });

    it('ignores who the SDK says the user is, and the plan it claims', async () => {
      const user = { id: 'user-8', plan: 'free' };
      const ofrep = await ofrepAs(user);
      const claimed = { targetingKey: 'user-42', userId: 'user-42', plan: 'pro' };
      expect(await ofrep.getBooleanValue('beta-list', true, claimed)).toBe(false);
      expect(await ofrep.getBooleanValue('pro-plan', true, claimed)).toBe(false);
    });

    it('takes the context fields the app trusts from the SDK, and no others', async () => {
      const ofrep = await ofrepAs({ id: 'user-8', plan: 'free' });
      expect(await ofrep.getBooleanValue('nb-banner', false, { locale: 'nb' })).toBe(true);
      expect(await ofrep.getBooleanValue('nb-banner', true, { locale: 'en' })).toBe(false);
      expect(await ofrep.getBooleanValue('pro-plan', true, { plan: 'pro', locale: 'nb' })).toBe(false);
    });

    it('offers an event stream below the mount point: refetchEvaluation for a browser flag change, none for a hidden one', async () => {
      const user = { id: 'user-42', plan: 'pro' };
      const answer = (await (await bulk(user)).json()) as {
        eventStreams: { type: string; endpoint: { requestUri: string } }[];
      };
      expect(answer.eventStreams).toHaveLength(1);
      expect(answer.eventStreams[0].type).toBe('sse');
      const { requestUri } = answer.eventStreams[0].endpoint;
      expect(requestUri).toMatch(new RegExp(`^${PREFIX}/ofrep/v1/events\\?since=[\\w-]+$`));
      const stream = await openEventStream(`${app.url}${requestUri}`, headersOf(user));
      try {
        expect(stream.status).toBe(200);
        expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        writeFileSync(
          file,
          original.replace('server-only: { enabled: true }', 'server-only: { enabled: false }'),
        );
        await expect.poll(() => client.isEnabled('server-only'), { timeout: 5000 }).toBe(false);
        writeFileSync(
          file,
          original
            .replace('server-only: { enabled: true }', 'server-only: { enabled: false }')
            .replace('killed: { enabled: false, browser: true }', 'killed: { enabled: true, browser: true }'),
        );
        // Events arrive in order: had the hidden change sent one, it would come first.
        await expect.poll(() => stream.refetches().length, { timeout: 5000 }).toBe(1);
        const [refetch] = stream.refetches();
        expect(JSON.parse(refetch.data)).toEqual({ type: 'refetchEvaluation', etag: refetch.id });
        // A page reconnecting with the id it heard last has nothing to catch up; one with an older state has.
        const current = await openEventStream(`${app.url}${requestUri}`, {
          ...headersOf(user),
          'last-event-id': refetch.id!,
        });
        const behind = await openEventStream(`${app.url}${requestUri}`, headersOf(user));
        await expect.poll(() => behind.refetches().length, { timeout: 5000 }).toBe(1);
        await expect.poll(() => current.lastEventId, { timeout: 5000 }).toBe(refetch.id);
        expect(current.refetches()).toEqual([]);
        current.close();
        behind.close();
      } finally {
        stream.close();
        writeFileSync(file, original);
        await expect.poll(() => client.isEnabled('server-only'), { timeout: 5000 }).toBe(true);
      }
    });

    it('answers the bulk request with only browser flags, 304 for its ETag, and a new answer after a change', async () => {
      const user = { id: 'user-42', plan: 'pro' };
      const first = await bulk(user);
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      const body = (await first.json()) as { flags: { key: string; value: unknown }[] };
      expect(body.flags.map((flag) => flag.key)).toEqual(BROWSER_FLAGS);
      for (const flag of body.flags) {
        expect(flag.value, flag.key).toEqual(expectedValue(await own(user, flag.key)));
      }
      expect((await bulk(user, { 'if-none-match': etag })).status).toBe(304);

      writeFileSync(
        file,
        original.replace(
          'dark-mode: { enabled: true, browser: true }',
          'dark-mode: { enabled: false, browser: true }',
        ),
      );
      try {
        await expect
          .poll(async () => (await bulk(user, { 'if-none-match': etag })).status, { timeout: 5000 })
          .toBe(200);
        const changed = (await (await bulk(user)).json()) as { flags: { key: string; value: unknown }[] };
        expect(changed.flags.find((flag) => flag.key === 'dark-mode')?.value).toBe(false);
      } finally {
        writeFileSync(file, original);
        await expect.poll(async () => (await own(user, 'dark-mode')).enabled, { timeout: 5000 }).toBe(true);
      }
    });
  });
}
