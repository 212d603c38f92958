// The built bin with credentials inside UNLEASH_URL (`https://user:pass@…`, `?token=…`): against a loopback
// server that fails, no error it prints shows them, in text or as GitHub annotations.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtBin } from './bin.js';

const bin = builtBin('url-redaction');
let server: Server;
let base: string;
let cwd: string;

beforeAll(async () => {
  // an Unleash that is down for maintenance
  server = createServer((_request, response) => {
    response.writeHead(503, { 'content-type': 'text/plain' });
    response.end('down for maintenance');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  cwd = mkdtempSync(join(tmpdir(), 'flagwise-cli-redaction-'));
  writeFileSync(join(cwd, 'flags.yaml'), 'flags:\n  new-pricing: true\n');
});
afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

const SECRETS = /alice|s3cret|qwerty123|tok-abc/;

describe('flagwise with credentials in UNLEASH_URL', () => {
  it.each([
    ['text', []],
    ['github', ['--format', 'github']],
  ])('diff (%s) names the URL without them', async (_, format) => {
    for (const url of [`http://alice:s3cret@${base}`, `http://${base}/?token=qwerty123`]) {
      const { code, stdout, stderr } = await bin.run(
        ['diff', '--project', 'default', '--env', 'development', ...format],
        { cwd, env: { UNLEASH_URL: url, UNLEASH_ADMIN_TOKEN: '*:*.tok-abc' } },
      );
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /carries credentials or a query \(http:\/\/(\*\*\*@)?127\.0\.0\.1:\d+\/(\?token=\*\*\*)?\)/,
      );
      expect(`${stdout}${stderr}`).not.toMatch(SECRETS);
    }
  });

  it('explain and validate name the failing URL of the client API without them', async () => {
    const env = {
      UNLEASH_URL: `http://alice:s3cret@${base}/api`,
      UNLEASH_API_TOKEN: 'default:development.v2_zKKes6Bzl0df5mgHKUJkjg_tok-abc',
    };
    for (const args of [
      ['explain', 'new-pricing'],
      ['validate', '--format', 'github'],
    ]) {
      const { code, stdout, stderr } = await bin.run([...args, '--timeout', '20000'], { cwd, env });
      expect(code).toBe(2);
      expect(stderr).toMatch(/http:\/\/\*\*\*@127\.0\.0\.1:\d+\/api\/client\/features responded 503/);
      expect(`${stdout}${stderr}`).not.toMatch(SECRETS);
    }
  });
});
