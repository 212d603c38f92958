// The demo's browser page: its script runs unleash-proxy-client against the app's own Unleash Frontend API, as a
// front end reading flags from Unleash would, and gets the signed-in user's browser flags from the server.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagsFrontendApi, getFlags } from '@flagwise/express';
import express, { type Express } from 'express';

/**
 * The flags the page's script may read: marked `browser: true` in flags.yaml, and named here for Unleash and
 * GitLab, whose definitions carry no such mark.
 */
export const BROWSER_FLAGS = ['dark_mode', 'beta_banner'];
/** the key the page sends; a real app would give each front end its own */
export const FRONTEND_CLIENT_KEY = 'flagwise-demo-web';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));
// unleash-proxy-client's browser build (UMD, `window.unleash`), served from node_modules: nothing is loaded from
// anywhere else.
const proxyClientBuild = path.join(
  path.dirname(createRequire(import.meta.url).resolve('unleash-proxy-client')),
  'main.min.js',
);

/**
 * Adds the Frontend API at /api/frontend and the page at /browser. Call it after `app.use(featureFlags())`.
 * @example addBrowserPage(app);
 */
export function addBrowserPage(app: Express): void {
  app.use('/api/frontend', flagsFrontendApi({ clientKeys: [FRONTEND_CLIENT_KEY], expose: BROWSER_FLAGS }));
  // pnpm keeps packages under node_modules/.pnpm, a dot folder sendFile refuses unless told.
  app.get('/vendor/unleash-proxy-client.js', (_req, res) =>
    res.sendFile(proxyClientBuild, { dotfiles: 'allow' }),
  );
  app.use('/assets', express.static(publicDir));
  app.get('/browser', (req, res) => {
    res.render('browser', {
      user: getFlags(req).context.userId,
      clientKey: FRONTEND_CLIENT_KEY,
      appName: 'flagwise-demo',
    });
  });
}
