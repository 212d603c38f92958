// The demo app: one page whose look follows four flags, listing each flag's state and the reason for it.
import { fileURLToPath } from 'node:url';
import { type FeatureFlagsMiddleware, flagsDashboard, flagsJson, getFlags } from '@flagwise/express';
import ejs from 'ejs';
import express, { type Express, type Request } from 'express';
import { addBrowserPages } from './browser-page.js';

/** The flags this page uses, and what each one does to it. */
export const DEMO_FLAGS = {
  dark_mode: 'turns the page dark',
  holiday_banner: 'shows a holiday banner',
  new_layout: 'shows these flags as cards instead of a table (half of the users)',
  beta_banner: 'welcomes the beta testers (a list of users)',
} as const;

export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

const USER_COOKIE = 'demo_user';

/**
 * Who may open the dashboard and force flags from their browser: visitors on this machine only.
 * @example createFlags({ source, overrides: { secret, allow: isLocal } })
 */
export function isLocal(request: { ip?: string }): boolean {
  return request.ip === '127.0.0.1' || request.ip === '::1' || request.ip === '::ffff:127.0.0.1';
}
const views = fileURLToPath(new URL('../views', import.meta.url));

/**
 * Builds the demo app on the flags middleware, in `app` when given one (an app of another Express major: the page
 * runs on Express 4 and 5). The visitor picks a user with `?user=name` (remembered in a cookie); a real app would
 * take `req.user` from its login instead.
 * @example
 * const middleware = featureFlags(createFlags({ source: fileSource('flags.yaml') }));
 * const app = createDemoApp(middleware);
 * await middleware.ready();
 * app.listen(3000);
 */
export function createDemoApp(middleware: FeatureFlagsMiddleware, app: Express = express()): Express {
  app.engine('ejs', ejs.renderFile as never);
  app.set('view engine', 'ejs');
  app.set('views', views);
  app.locals.flagsJson = flagsJson;

  // Stands in for a login: req.user is what featureFlags() reads the user id from.
  app.use((req, res, next) => {
    const chosen = typeof req.query.user === 'string' ? req.query.user : undefined;
    if (chosen !== undefined) res.cookie(USER_COOKIE, chosen, { httpOnly: true, sameSite: 'lax' });
    const id = chosen ?? readCookie(req, USER_COOKIE);
    if (id) (req as Request & { user?: { id: string } }).user = { id };
    next();
  });
  app.use(middleware);
  // The flags dashboard, for this machine only: every flag for your request, forcing them in your browser.
  app.use('/_flags', flagsDashboard({ allow: isLocal }));
  addBrowserPages(app);

  app.get('/', (req, res) => {
    const flags = getFlags(req);
    const rows = Object.entries(DEMO_FLAGS).map(([name, effect]) => {
      const explanation = flags.explain(name);
      return {
        name,
        effect,
        enabled: explanation.enabled,
        reason: explanation.reason,
        detail: explanation.detail,
      };
    });
    res.render('index', {
      user: flags.context.userId,
      users: DEMO_USERS,
      rows,
      source: middleware.client.source.name,
      status: middleware.client.status,
      // The page follows flag changes live through the dashboard's event stream, which only local visitors see.
      live: isLocal(req),
    });
  });
  return app;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
