// The demos' two browser pages, the same on every framework: /browser runs unleash-proxy-client against the app's
// Unleash Frontend API (/api/frontend), /openfeature runs OpenFeature's web SDK with its OFREP provider against the
// app's OFREP endpoint (at the root). Both follow flag changes live through the app's event streams. Everything
// the pages load is served by the app itself from node_modules: each demo routes `BROWSER_FILES` its own way.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The flags the pages' scripts may read: marked `browser: true` in flags.yaml, and named here for Unleash and
 * GitLab, whose definitions carry no such mark (the endpoints' `expose`).
 */
export const BROWSER_FLAGS = ['dark_mode', 'beta_banner'];
/** the key the unleash-proxy-client page sends; a real app would give each front end its own */
export const FRONTEND_CLIENT_KEY = 'flagwise-demo-web';
/** what the OpenFeature page asks for: the browser flags, and one the browser may not see */
const OPENFEATURE_ASKS = [...BROWSER_FLAGS, 'holiday_banner'];

/** A file a page loads: where the app serves it, its type, and its content (read once). */
export interface BrowserFile {
  path: string;
  type: string;
  body: Buffer;
}

const here = fileURLToPath(import.meta.url);
const publicDir = fileURLToPath(new URL('../public', import.meta.url));
const SCRIPT = 'text/javascript; charset=utf-8';

/** The root folder of the package `name`, resolved from `from` (a file), whatever its exports allow. */
function packageRoot(name: string, from: string): string {
  let dir = path.dirname(createRequire(from).resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === name) return dir;
    } catch {
      // not a package folder: look further up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = parent;
  }
}

/** A package's ES module build, as its package.json names it. */
function esmBuild(name: string, from: string): string {
  const root = packageRoot(name, from);
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    module?: string;
    exports?: { import?: string; '.'?: { module?: string } };
  };
  const entry = manifest.module ?? manifest.exports?.import ?? manifest.exports?.['.']?.module;
  if (entry === undefined) throw new Error(`${name} names no ES module build`);
  return path.join(root, entry);
}

// OpenFeature's modules and the bare names they import each other by: the page's import map.
const webSdk = esmBuild('@openfeature/web-sdk', here);
const ofrepWebProvider = esmBuild('@openfeature/ofrep-web-provider', here);
const OPENFEATURE_MODULES: Record<string, string> = {
  '@openfeature/web-sdk': webSdk,
  '@openfeature/core': esmBuild('@openfeature/core', webSdk),
  '@openfeature/ofrep-web-provider': ofrepWebProvider,
  '@openfeature/ofrep-core': esmBuild('@openfeature/ofrep-core', ofrepWebProvider),
};
const moduleUrl = (name: string) => `/vendor/${name.replace('@openfeature/', 'openfeature-')}.js`;

/**
 * Every script the pages load, for the app to serve at `path`:
 * @example for (const file of BROWSER_FILES) app.get(file.path, (_req, res) => res.type(file.type).send(file.body));
 */
export const BROWSER_FILES: readonly BrowserFile[] = [
  {
    path: '/assets/unleash-flags.js',
    type: SCRIPT,
    body: readFileSync(path.join(publicDir, 'unleash-flags.js')),
  },
  {
    path: '/assets/openfeature-flags.js',
    type: SCRIPT,
    body: readFileSync(path.join(publicDir, 'openfeature-flags.js')),
  },
  {
    // unleash-proxy-client's browser build (UMD, `window.unleash`)
    path: '/vendor/unleash-proxy-client.js',
    type: SCRIPT,
    body: readFileSync(path.join(packageRoot('unleash-proxy-client', here), 'build', 'main.min.js')),
  },
  ...Object.entries(OPENFEATURE_MODULES).map(([name, file]) => ({
    path: moduleUrl(name),
    type: SCRIPT,
    body: readFileSync(file),
  })),
];

/** The pages, by path. */
export type BrowserPage = '/browser' | '/openfeature';
export const BROWSER_PAGES: readonly BrowserPage[] = ['/browser', '/openfeature'];

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The HTML of one page for the signed-in `user` (the app's, from its login; the pages never pick one). The
 * OpenFeature page lists the flags `asks` names (by default the browser flags and one it may not see).
 * @example res.type('html').send(browserPageHtml('/openfeature', req.user?.id));
 */
export function browserPageHtml(
  page: BrowserPage,
  user: string | undefined,
  asks: readonly string[] = OPENFEATURE_ASKS,
): string {
  const who = escapeHtml(user ?? 'anonymous');
  const head = (title: string) =>
    '<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n' +
    '  <meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `  <title>flagwise demo: ${title}</title>\n  <link rel="icon" href="data:,">\n` +
    '  <style>\n    body { font: 16px/1.5 system-ui, sans-serif; margin: 0; } main { max-width: 820px; margin: 0 auto; padding: 24px; }\n' +
    '    .on { color: #1e9e4a; font-weight: 700; } .off { color: #888; } code { font-size: 90%; } small { color: #888; }\n  </style>\n';
  const signedIn = `  <p>Signed in as <strong id="current-user">${who}</strong> (<a href="/">back to the demo</a>).`;
  if (page === '/browser') {
    return (
      `${head('flags in the browser')}</head>\n` +
      `<body data-client-key="${FRONTEND_CLIENT_KEY}" data-app-name="flagwise-demo">\n<main>\n` +
      '  <h1>Flags in the browser: unleash-proxy-client</h1>\n' +
      `${signedIn} This page's script asks the app's Unleash Frontend API\n` +
      '    (<code>/api/frontend</code>) through <code>unleash-proxy-client</code>, and lists the flags it answers:\n' +
      '    the browser flags that are on for you, evaluated on the server for your request.</p>\n' +
      '  <ul id="browser-flags" data-state="loading"><li>loading…</li></ul>\n' +
      '  <p><small>Live: edit <code>flags.yaml</code> and the list follows within a moment (the page refetches on\n' +
      "    the app's <code>/api/frontend/events</code> notices).</small></p>\n" +
      '</main>\n<script src="/vendor/unleash-proxy-client.js"></script>\n' +
      '<script src="/assets/unleash-flags.js"></script>\n</body>\n</html>\n'
    );
  }
  const imports = Object.fromEntries(Object.keys(OPENFEATURE_MODULES).map((name) => [name, moduleUrl(name)]));
  return (
    `${head('OpenFeature in the browser')}` +
    `  <script type="importmap">${JSON.stringify({ imports })}</script>\n</head>\n<body>\n<main>\n` +
    '  <h1>Flags in the browser: OpenFeature</h1>\n' +
    `${signedIn} This page's script runs OpenFeature's web SDK with the OFREP provider\n` +
    "    (<code>@openfeature/ofrep-web-provider</code>) against the app's OFREP endpoint: the browser flags, as the\n" +
    '    server evaluates them for you.</p>\n' +
    `  <ul id="browser-flags" data-state="loading" data-flags="${escapeHtml(JSON.stringify(asks))}"><li>loading…</li></ul>\n` +
    "  <p><small>Live: the provider follows the app's event stream (OFREP <code>eventStreams</code>), with no\n" +
    '    polling.</small></p>\n' +
    '</main>\n<script type="module" src="/assets/openfeature-flags.js"></script>\n</body>\n</html>\n'
  );
}
