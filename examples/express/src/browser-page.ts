// The demo's browser pages: /browser (unleash-proxy-client against the app's own Unleash Frontend API) and
// /openfeature (OpenFeature's web SDK with its OFREP provider against the app's OFREP endpoint), as front ends
// reading flags from the app would. Both follow changes live through the endpoints' event streams.
import {
  BROWSER_FILES,
  BROWSER_FLAGS,
  BROWSER_PAGES,
  browserPageHtml,
  FRONTEND_CLIENT_KEY,
} from '@flagwise/example-browser-pages';
import { flagsFrontendApi, flagsOfrep, getFlags } from '@flagwise/express';
import type { Express } from 'express';

export { BROWSER_FLAGS, FRONTEND_CLIENT_KEY };

/**
 * Adds the Frontend API at /api/frontend, OFREP at the root, and the pages with their scripts. Call it after
 * `app.use(featureFlags())`.
 * @example addBrowserPages(app);
 */
export function addBrowserPages(app: Express): void {
  app.use('/api/frontend', flagsFrontendApi({ clientKeys: [FRONTEND_CLIENT_KEY], expose: BROWSER_FLAGS }));
  app.use(flagsOfrep({ expose: BROWSER_FLAGS }));
  for (const file of BROWSER_FILES) app.get(file.path, (_req, res) => res.type(file.type).send(file.body));
  for (const page of BROWSER_PAGES) {
    app.get(page, (req, res) => res.type('html').send(browserPageHtml(page, getFlags(req).context.userId)));
  }
}
