// The flags dashboard over HTTP on every framework row: absent without allow, the requesting user's flags and
// reasons, forcing and clearing through the signed override cookie (the app's next request follows), CSRF refusals
// that change nothing, and the field-level diff after an edit of flags.yaml.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createDashboard, createFlags, type FlagsClient, fileSource } from '@flagwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesAt, recordingLogger } from '../../support/logging.js';
import { CONTEXT_HEADERS as H, type RunningApp } from '../contract.js';
import { rows } from '../rows.js';

const SECRET = 'dashboard-table-secret-0123456789abcdef0123';
const PREFIX = '/_flags';

const FLAGS_YAML = (rollout: number) => `flags:
  always-on:
    description: On for everyone
    enabled: true
  always-off:
    description: Off for everyone, <b>escaped</b>
    enabled: false
  pro-only:
    enabled: true
    when:
      plan: [pro]
  checkout:
    rollout: ${rollout}
    stickiness: userId
  beta-users:
    users: [alice, bob]
  new-layout:
    rollout: 50
`;

interface Browser {
  cookies: Map<string, string>;
  token: string;
}

function cookieHeader(browser: Browser): string {
  return [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

function keepCookies(browser: Browser, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    browser.cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A GET with headers fetch() does not let a page set (Host): its status and, unless it streams, its text. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      const status = response.statusCode ?? 0;
      if (/event-stream/.test(String(response.headers['content-type']))) {
        response.destroy();
        resolve({ status, text: '' });
        return;
      }
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status, text }));
    });
    request.on('error', reject);
  });
}

describe.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  let dir: string;
  let file: string;
  let client: FlagsClient;
  let app: RunningApp;
  let closed: RunningApp;
  /** the client of `closed`, the dashboard given no allow, and what it logs */
  let closedClient: FlagsClient;
  const closedLog = recordingLogger();
  /** a dashboard that lists host names of its own, its client, and what it logs */
  let hosted: RunningApp;
  let hostedClient: FlagsClient;
  const hostedLog = recordingLogger();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'flagwise-dashboard-'));
    file = path.join(dir, 'flags.yaml');
    writeFileSync(file, FLAGS_YAML(10));
    client = createFlags({
      source: fileSource(file, { debounceMs: 20 }),
      logger: false,
      overrides: { secret: SECRET, allow: (req: any) => req.headers?.[H.qa] === 'yes' },
    });
    await client.ready({ timeoutMs: 5000 });
    const allow = (req: any) => {
      if (req.headers?.[H.qa] === 'throw') throw new Error('allow broke');
      return req.headers?.[H.qa] === 'yes';
    };
    app = await row.startWithEndpoint(client, createDashboard({ allow }), PREFIX);
    closedClient = createFlags({ source: fileSource(file), logger: closedLog.logger });
    await closedClient.ready({ timeoutMs: 5000 });
    closed = await row.startWithEndpoint(closedClient, createDashboard(), PREFIX);
    hostedClient = createFlags({ source: fileSource(file), logger: hostedLog.logger });
    await hostedClient.ready({ timeoutMs: 5000 });
    const hosts = ['admin.example.com', '*.shop.example'];
    hosted = await row.startWithEndpoint(hostedClient, createDashboard({ allow, hosts }), PREFIX);
  });
  afterAll(async () => {
    await app?.close();
    await closed?.close();
    await client?.close();
    await closedClient?.close();
    await hosted?.close();
    await hostedClient?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const qa = { [H.qa]: 'yes' };
  const call = (url: string, init: RequestInit = {}) => fetch(url, { redirect: 'manual', ...init });

  async function openDashboard(headers: Record<string, string> = {}): Promise<Browser> {
    const browser: Browser = { cookies: new Map(), token: '' };
    const page = await call(`${app.url}${PREFIX}`, { headers: { ...qa, ...headers } });
    expect(page.status).toBe(200);
    keepCookies(browser, page);
    const state = await stateOf(browser, headers);
    browser.token = state.csrfToken;
    return browser;
  }

  async function stateOf(browser: Browser, headers: Record<string, string> = {}) {
    const res = await call(`${app.url}${PREFIX}/api/state`, {
      headers: { ...qa, ...headers, cookie: cookieHeader(browser) },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as any;
  }

  async function force(browser: Browser, body: object, headers: Record<string, string> = {}) {
    const res = await call(`${app.url}${PREFIX}/api/overrides`, {
      method: 'POST',
      headers: {
        ...qa,
        origin: app.url,
        'content-type': 'application/json',
        'x-flagwise-csrf': browser.token,
        cookie: cookieHeader(browser),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    keepCookies(browser, res);
    return res;
  }

  async function appFlag(browser: Browser, name: string) {
    const res = await call(`${app.url}/flag/${name}`, { headers: { ...qa, cookie: cookieHeader(browser) } });
    return (await res.json()) as { enabled: boolean; reason: string };
  }

  it('looks absent (the framework’s 404) without allow, when allow says no, and when it throws', async () => {
    const unknown = await call(`${app.url}/no-such-route`);
    for (const [url, headers] of [
      [`${closed.url}${PREFIX}`, qa],
      [`${closed.url}${PREFIX}/api/state`, qa],
      [`${app.url}${PREFIX}`, {}],
      [`${app.url}${PREFIX}/api/state`, {}],
      [`${app.url}${PREFIX}/api/events`, {}],
      [`${app.url}${PREFIX}`, { [H.qa]: 'throw' }],
    ] as const) {
      const res = await call(url, { headers });
      expect(res.status, url).toBe(404);
      expect(res.status).toBe(unknown.status);
      const text = await res.text();
      expect(text).not.toContain('always-on');
    }
    // The dashboard given no allow says once why it answers nobody.
    expect(messagesAt(closedLog.lines, 'warn')).toEqual([
      expect.stringMatching(
        /^flagwise: flagsDashboard\(\) answers 404 to everyone, as it was given no allow/,
      ),
    ]);
  });

  it('answers only the app’s own host names: another name in Host or X-Forwarded-Host finds it absent', async () => {
    const port = new URL(hosted.url).port;
    const unknown = await rawGet(`${hosted.url}/no-such-route`, { host: `rebound.example:${port}` });
    expect(unknown.status).toBe(404);
    for (const route of ['', '/api/state', '/api/events', '/api/trace?flag=always-on']) {
      for (const headers of [
        { host: `rebound.example:${port}` } as Record<string, string>,
        { host: `127.0.0.1:${port}`, 'x-forwarded-host': 'rebound.example' },
        { host: `admin.example.com.rebound.example:${port}` },
        { host: 'shop.example' },
      ]) {
        const res = await rawGet(`${hosted.url}${PREFIX}${route}`, { ...qa, ...headers });
        expect(res.status, `${route} ${JSON.stringify(headers)}`).toBe(unknown.status);
        // (Fastify's 404 repeats the URL, so the flag name in the trace's query may show; its data may not.)
        expect(res.text).not.toContain('On for everyone');
        expect(res.text).not.toContain('strategies');
      }
    }
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `app.localhost:${port}`,
      `[::1]:${port}`,
      `${os.hostname()}:${port}`,
      'admin.example.com',
      `eu.shop.example:${port}`,
    ]) {
      const res = await rawGet(`${hosted.url}${PREFIX}/api/state`, { ...qa, host });
      expect(res.status, host).toBe(200);
      expect(res.text).toContain('always-on');
    }
    // Said once, with what to do when the name is the app's.
    const said = messagesAt(hostedLog.lines, 'warn').filter((line) => line.includes('flagsDashboard()'));
    expect(said).toEqual([
      expect.stringContaining('flagsDashboard() answered 404 to a request for host "rebound.example"'),
    ]);
    expect(said[0]).toContain("flagsDashboard({ hosts: ['name'] })");
  });

  it('serves the page with a nonce CSP and no external assets, everything escaped', async () => {
    const page = await call(`${app.url}${PREFIX}`, { headers: qa });
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    const html = await page.text();
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).not.toMatch(/\s(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain('<b>escaped</b>');
    for (const script of html.match(/<script(?![^>]*application\/json)[^>]*>/g) ?? [])
      expect(script).toContain(`nonce="${nonce}"`);
  });

  it('lists every flag for the requesting user, with the context the app’s hook builds and the reasons', async () => {
    const browser = await openDashboard({ [H.userId]: 'alice', [H.plan]: 'pro' });
    const state = await stateOf(browser, { [H.userId]: 'alice', [H.plan]: 'pro' });
    expect(state.context).toMatchObject({ userId: 'alice', properties: { plan: 'pro' } });
    expect(state.source).toMatchObject({ status: 'ready', name: expect.stringContaining('flags.yaml') });
    const byName = Object.fromEntries(state.flags.map((flag: any) => [flag.name, flag]));
    expect(Object.keys(byName).sort()).toEqual([
      'always-off',
      'always-on',
      'beta-users',
      'checkout',
      'new-layout',
      'pro-only',
    ]);
    expect(byName['always-on']).toMatchObject({
      enabled: true,
      reason: 'strategy-matched',
      description: 'On for everyone',
    });
    expect(byName['always-off']).toMatchObject({ enabled: false, reason: 'disabled' });
    expect(byName['pro-only']).toMatchObject({ enabled: true, reason: 'strategy-matched' });
    const basic = await stateOf(browser, { [H.userId]: 'alice', [H.plan]: 'basic' });
    expect(basic.flags.find((flag: any) => flag.name === 'pro-only')).toMatchObject({
      enabled: false,
      reason: 'no-strategy-matched',
    });
    const trace = await (
      await call(`${app.url}${PREFIX}/api/trace?flag=pro-only`, {
        headers: { ...qa, [H.plan]: 'basic', cookie: cookieHeader(browser) },
      })
    ).json();
    expect(trace.strategies[0].constraints[0]).toMatchObject({
      contextName: 'plan',
      contextValue: 'basic',
      held: false,
    });
  });

  it('says why in the flags file’s words: whom users: lists, where a rollout puts the request, and when: values', async () => {
    const browser = await openDashboard();
    const traceFor = async (flag: string, headers: Record<string, string> = {}) => {
      const res = await call(`${app.url}${PREFIX}/api/trace?flag=${flag}`, {
        headers: { ...qa, ...headers, cookie: cookieHeader(browser) },
      });
      expect(res.status).toBe(200);
      const texts = ((await res.json()).lines as { text: string }[]).map((line) => line.text);
      expect(texts.join('\n')).not.toMatch(/undefined|flexibleRollout|userWithId/);
      return texts;
    };
    expect(await traceFor('beta-users', { [H.userId]: 'carol' })).toEqual([
      'users: [alice, bob] does not list "carol"',
    ]);
    expect(await traceFor('beta-users', { [H.userId]: 'alice' })).toEqual([
      'users: [alice, bob] lists "alice"',
    ]);
    expect(await traceFor('checkout')).toEqual([
      'rollout: 10 (stickiness: userId) — the request has no userId',
    ]);
    expect(await traceFor('new-layout')).toEqual([
      'rollout: 50 — no userId or sessionId, so a random bucket on each request',
    ]);
    const bucket = (await traceFor('checkout', { [H.userId]: 'alice' }))[0];
    expect(bucket).toMatch(
      /^rollout: 10 \(stickiness: userId\) — userId "alice" is in bucket \d+ of 100 \(on for buckets 1–10\)$/,
    );
    expect(await traceFor('pro-only', { [H.plan]: 'basic' })).toEqual([
      'when: does not match',
      'when: plan: [pro] — plan is "basic"',
    ]);
  });

  it('forces a flag: the app’s next request sees it with reason override; clearing undoes it', async () => {
    const browser = await openDashboard();
    expect(await appFlag(browser, 'always-off')).toMatchObject({ enabled: false, reason: 'disabled' });
    const forced = await force(browser, { flag: 'always-off', value: 'on' });
    expect(forced.status).toBe(200);
    expect((await forced.json()).flags.find((f: any) => f.name === 'always-off')).toMatchObject({
      override: 'on',
      enabled: true,
    });
    expect(await appFlag(browser, 'always-off')).toMatchObject({ enabled: true, reason: 'override' });
    expect((await stateOf(browser)).overrideQuery).toBe('flagwise=always-off:on');

    await force(browser, { flag: 'always-on', value: 'off' });
    expect(await appFlag(browser, 'always-on')).toMatchObject({ enabled: false, reason: 'override' });
    const cleared = await force(browser, { flag: 'always-off', value: 'default' });
    expect(cleared.status).toBe(200);
    expect(await appFlag(browser, 'always-off')).toMatchObject({ enabled: false, reason: 'disabled' });
    expect(await appFlag(browser, 'always-on')).toMatchObject({ enabled: false, reason: 'override' });
    await force(browser, { clear: true });
    expect(await appFlag(browser, 'always-on')).toMatchObject({ enabled: true, reason: 'strategy-matched' });
  });

  it('lists a refused QA override, which the app’s response names in a header', async () => {
    const res = await call(`${app.url}/flag/always-off?flagwise=alway-off:on`, { headers: qa });
    expect(res.status).toBe(200);
    expect(res.headers.get('flagwise-override-refused')).toBe(
      'alway-off:on (no flag "alway-off" (did you mean "always-off"?))',
    );
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.json()).toMatchObject({ enabled: false, reason: 'disabled' });
    const state = await stateOf(await openDashboard());
    expect(state.refusedOverrides[0]).toMatchObject({
      entry: 'alway-off:on',
      reason: 'no flag "alway-off" (did you mean "always-off"?)',
    });
  });

  it('refuses a POST without the token, with a wrong one, or from another origin, and changes nothing', async () => {
    const browser = await openDashboard();
    const before = cookieHeader(browser);
    for (const headers of [
      { 'x-flagwise-csrf': '' },
      // the token with its last characters changed (to ones it does not end with)
      { 'x-flagwise-csrf': `${browser.token.slice(0, -2)}${browser.token.endsWith('AA') ? 'BB' : 'AA'}` },
      { origin: 'http://evil.example' },
      // the same host over the other scheme
      { origin: app.url.replace(/^http:/, 'https:') },
      { origin: '', referer: '' },
      { 'content-type': 'text/plain' },
    ] as Record<string, string>[]) {
      const res = await force(browser, { flag: 'always-off', value: 'on' }, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(cookieHeader(browser)).toBe(before);
    expect(await appFlag(browser, 'always-off')).toMatchObject({ enabled: false, reason: 'disabled' });
    // A token from another browser's page does not work with this browser's cookie.
    const other = await openDashboard();
    expect(
      (await force(browser, { flag: 'always-off', value: 'on' }, { 'x-flagwise-csrf': other.token })).status,
    ).toBe(403);
  });

  it('lists a flags.yaml edit in recent changes with its field-level diff', async () => {
    const browser = await openDashboard();
    writeFileSync(file, FLAGS_YAML(50));
    const state = await until(
      () => stateOf(browser),
      (s) => s.changes.some((change: any) => change.flag === 'checkout'),
    );
    const change = state.changes.find((c: any) => c.flag === 'checkout');
    expect(change).toMatchObject({ kind: 'changed', changes: [{ text: 'rollout 10 → 50' }] });
    writeFileSync(file, FLAGS_YAML(10));
    await until(
      () => stateOf(browser),
      (s) => s.changes[0]?.changes[0]?.text === 'rollout 50 → 10',
    );
  });
});
