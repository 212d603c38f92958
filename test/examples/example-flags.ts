// Both paths of each of the demo's flags, through HTTP, with @flagwise/testing: the demo app of one framework
// major on a test client that starts from the example's own flags.yaml, each test pinning the flag on or off for
// its own request, as a user's test suite would. Each framework's *-flags test file calls `describeExampleFlags`
// once per major.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFlagsFile } from '@flagwise/core';
import { createTestFlags, pinHeaders, type TestFlags } from '@flagwise/testing';
import { eachFlagState } from '@flagwise/testing/vitest';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A started demo: how to send it a GET (supertest, or Fastify's inject) and how to stop it. */
export interface StartedExample {
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/** `get` for an HTTP server, with supertest. */
export function supertestGet(server: Parameters<typeof request>[0]): StartedExample['get'] {
  return async (path, headers = {}) => {
    const res = await request(server).get(path).set(headers);
    return { status: res.status, text: res.text };
  };
}

/** What each demo flag does to the page: text that is there when it is on, and not when it is off. */
const MARKERS: Record<string, { on: string; off: string }> = {
  dark_mode: { on: '<body class="dark">', off: '<body class="light">' },
  holiday_banner: { on: 'id="holiday-banner"', off: '' },
  new_layout: { on: 'data-layout="cards"', off: 'data-layout="table"' },
  beta_banner: { on: 'id="beta-banner"', off: '' },
};

function exampleFlags(example: string): TestFlags {
  const file = fileURLToPath(new URL(`../../examples/${example}/flags.yaml`, import.meta.url));
  return createTestFlags(parseFlagsFile(readFileSync(file, 'utf8'), file).definitions);
}

function row(html: string, flag: string): { enabled: boolean; reason: string } | undefined {
  const match = new RegExp(`data-flag="${flag}" data-enabled="(true|false)" data-reason="([^"]+)"`).exec(
    html,
  );
  return match ? { enabled: match[1] === 'true', reason: match[2] } : undefined;
}

export function describeExampleFlags(
  title: string,
  example: string,
  start: (flags: TestFlags) => Promise<StartedExample>,
): void {
  describe(title, () => {
    let flags: TestFlags;
    let app: StartedExample;
    beforeAll(async () => {
      flags = exampleFlags(example);
      app = await start(flags);
    });
    afterAll(async () => {
      await app?.close();
      await flags?.close();
    });

    for (const [flag, marker] of Object.entries(MARKERS)) {
      eachFlagState(flag, async (state) => {
        const res = await app.get('/?user=bob', state.headers);
        expect(res.status).toBe(200);
        const html = res.text;
        if (marker.on) expect(html.includes(marker.on)).toBe(state.enabled);
        if (marker.off) expect(html.includes(marker.off)).toBe(!state.enabled);
        expect(row(html, flag)).toEqual({
          enabled: state.enabled,
          reason: state.enabled ? 'strategy-matched' : 'disabled',
        });
        // The page consulted the flag, and this request was served with this state's pins.
        const served = flags.request(state.title);
        expect(served?.didRead(flag)).toBe(true);
        expect(served?.pins).toEqual(state.pins);
      });
    }

    it("serves the flags.yaml rules when a request pins nothing (beta_banner's user list)", async () => {
      const alice = await app.get('/?user=alice');
      const bob = await app.get('/?user=bob');
      expect(alice.text).toContain('id="beta-banner"');
      expect(bob.text).not.toContain('id="beta-banner"');
      expect(row(bob.text, 'beta_banner')).toEqual({ enabled: false, reason: 'no-strategy-matched' });
    });

    it('keeps concurrent requests with different pins apart', async () => {
      const states = Array.from({ length: 20 }, (_, i) => ({ label: `${example}-${i}`, dark: i % 2 === 0 }));
      const pages = await Promise.all(
        states.map(({ label, dark }) =>
          app.get('/?user=carol', pinHeaders({ dark_mode: dark, holiday_banner: !dark }, { label })),
        ),
      );
      pages.forEach((page, i) => {
        expect(page.text.includes('<body class="dark">')).toBe(states[i].dark);
        expect(page.text.includes('id="holiday-banner"')).toBe(!states[i].dark);
      });
    });
  });
}
