// The demo app: one page whose look follows four flags, listing each flag's state and the reason for it.
import { fileURLToPath } from 'node:url';
import {
  BROWSER_FILES,
  BROWSER_FLAGS,
  BROWSER_PAGES,
  browserPageHtml,
  FRONTEND_CLIENT_KEY,
} from '@flagwise/example-browser-pages';
import {
  type FeatureFlagsMiddleware,
  type FlagsState,
  flagsDashboard,
  flagsFrontendApi,
  flagsJson,
  flagsOfrep,
} from '@flagwise/koa';
import Router from '@koa/router';
import views from '@ladjs/koa-views';
import Koa from 'koa';

/** The flags this page uses, and what each one does to it. */
export const DEMO_FLAGS = {
  dark_mode: 'turns the page dark',
  holiday_banner: 'shows a holiday banner',
  new_layout: 'shows these flags as cards instead of a table (half of the users)',
  beta_banner: 'welcomes the beta testers (a list of users)',
} as const;

export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

const USER_COOKIE = 'demo_user';

/** What this app keeps in ctx.state: the user (a login would put it there) and the flags. */
export interface DemoState extends FlagsState {
  user?: { id: string };
}
const viewsDir = fileURLToPath(new URL('../views', import.meta.url));

/**
 * Who may open the dashboard and force flags from their browser: visitors on this machine only.
 * @example createFlags({ source, overrides: { secret, allow: isLocal } })
 */
export function isLocal(request: { ip?: string }): boolean {
  return request.ip === '127.0.0.1' || request.ip === '::1' || request.ip === '::ffff:127.0.0.1';
}

/**
 * Builds the demo app on the flags middleware, in `app` when given one (an app of another Koa major: the page runs on
 * Koa 2 and 3). The visitor picks a user with `?user=name` (remembered in a cookie); a real app would have
 * `ctx.state.user` from its login (koa-passport puts it there) instead.
 * @example
 * const middleware = featureFlags(createFlags({ source: fileSource('flags.yaml') }));
 * const app = createDemoApp(middleware);
 * await middleware.ready();
 * app.listen(3000);
 */
export function createDemoApp(
  middleware: FeatureFlagsMiddleware,
  app: Koa<DemoState> = new Koa<DemoState>(),
): Koa<DemoState> {
  // Stands in for a login: ctx.state.user is what featureFlags() reads the user id from.
  app.use(async (ctx, next) => {
    const chosen = typeof ctx.query.user === 'string' ? ctx.query.user : undefined;
    if (chosen !== undefined) ctx.cookies.set(USER_COOKIE, chosen, { httpOnly: true, sameSite: 'lax' });
    const id = chosen ?? ctx.cookies.get(USER_COOKIE);
    if (id) ctx.state.user = { id };
    await next();
  });
  app.use(middleware);
  // The flags dashboard, for this machine only: every flag for your request, forcing them in your browser.
  app.use(flagsDashboard({ prefix: '/_flags', allow: isLocal }));
  // The browser pages (/browser on unleash-proxy-client, /openfeature on OpenFeature's OFREP provider), live
  // through the Frontend API's and OFREP's event streams.
  app.use(flagsFrontendApi({ clientKeys: [FRONTEND_CLIENT_KEY], expose: BROWSER_FLAGS }));
  app.use(flagsOfrep({ expose: BROWSER_FLAGS }));
  // Templates see ctx.state, so `flags` is there without passing it.
  app.use(views(viewsDir, { extension: 'ejs' }));

  const router = new Router<DemoState>();
  for (const file of BROWSER_FILES) {
    router.get(file.path, (ctx) => {
      ctx.type = file.type;
      ctx.body = file.body;
    });
  }
  for (const page of BROWSER_PAGES) {
    router.get(page, (ctx) => {
      ctx.type = 'html';
      ctx.body = browserPageHtml(page, ctx.state.flags.context.userId);
    });
  }
  router.get('/', async (ctx) => {
    const { flags } = ctx.state;
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
    await ctx.render('index', {
      user: flags.context.userId,
      users: DEMO_USERS,
      rows,
      source: middleware.client.source.name,
      status: middleware.client.status,
      browserFlags: flagsJson(flags),
      // The page follows flag changes live through the dashboard's event stream, which only local visitors see.
      live: isLocal(ctx),
    });
  });
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
