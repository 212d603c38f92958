// The demo app: one page whose look follows four flags, listing each flag's state and the reason for it.
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyView from '@fastify/view';
import {
  BROWSER_FILES,
  BROWSER_FLAGS,
  BROWSER_PAGES,
  browserPageHtml,
  FRONTEND_CLIENT_KEY,
} from '@flagwise/example-browser-pages';
import {
  type FeatureFlagsPluginOptions,
  featureFlags,
  flagsDashboard,
  flagsFrontendApi,
  flagsOfrep,
  type RequestFlags,
} from '@flagwise/fastify';
import ejs from 'ejs';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

/** The flags this page uses, and what each one does to it. */
export const DEMO_FLAGS = {
  dark_mode: 'turns the page dark',
  holiday_banner: 'shows a holiday banner',
  new_layout: 'shows these flags as cards instead of a table (half of the users)',
  beta_banner: 'welcomes the beta testers (a list of users)',
} as const;

export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

const USER_COOKIE = 'demo_user';
const views = fileURLToPath(new URL('../views', import.meta.url));

/**
 * Who may open the dashboard and force flags from their browser: visitors on this machine only.
 * @example createFlags({ source, overrides: { secret, allow: isLocal } })
 */
export function isLocal(request: { ip?: string }): boolean {
  return request.ip === '127.0.0.1' || request.ip === '::1' || request.ip === '::ffff:127.0.0.1';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** who is logged in; a login plugin (@fastify/passport, @fastify/jwt) would set it */
    user: { id: string } | null;
  }
}

/**
 * Fastify and the plugins the demo registers; another major's set runs the same page on Fastify 4.
 * @example
 * const onFastify4: DemoFramework = { fastify: fastify4, cookie: cookie9, view: view9 };
 */
export interface DemoFramework {
  fastify: (options?: object) => FastifyInstance;
  cookie: unknown;
  view: unknown;
}

const fastify5: DemoFramework = { fastify: Fastify, cookie: fastifyCookie, view: fastifyView };

/**
 * Builds the demo app with the flags plugin. The visitor picks a user with `?user=name` (remembered in a
 * cookie); a real app would take `request.user` from its login instead.
 * @example
 * const app = await createDemoApp({ source: fileSource('flags.yaml') });
 * await app.listen({ port: 3000 });
 */
export async function createDemoApp(
  flagsOptions: FeatureFlagsPluginOptions,
  framework: DemoFramework = fastify5,
): Promise<FastifyInstance> {
  const app = framework.fastify();
  await app.register(framework.cookie as typeof fastifyCookie);
  await app.register(framework.view as typeof fastifyView, { engine: { ejs }, root: views });

  // Stands in for a login: request.user is what the flags plugin reads the user id from.
  app.decorateRequest('user', null);
  app.addHook('onRequest', (request, reply, done) => {
    const chosen = (request.query as { user?: unknown }).user;
    if (typeof chosen === 'string') {
      reply.setCookie(USER_COOKIE, chosen, { httpOnly: true, sameSite: 'lax', path: '/' });
    }
    const id = typeof chosen === 'string' ? chosen : request.cookies[USER_COOKIE];
    if (id) request.user = { id };
    done();
  });
  // After the login hook, so the user is known; app.ready() waits for the flags.
  await app.register(featureFlags, flagsOptions);
  // The flags dashboard, for this machine only: every flag for your request, forcing them in your browser.
  await app.register(flagsDashboard, { prefix: '/_flags', allow: isLocal });
  // The browser pages (/browser on unleash-proxy-client, /openfeature on OpenFeature's OFREP provider), live
  // through the Frontend API's and OFREP's event streams.
  await app.register(flagsFrontendApi({ clientKeys: [FRONTEND_CLIENT_KEY], expose: BROWSER_FLAGS }), {
    prefix: '/api/frontend',
  });
  await app.register(flagsOfrep({ expose: BROWSER_FLAGS }));
  for (const file of BROWSER_FILES)
    app.get(file.path, (_request, reply) => reply.type(file.type).send(file.body));
  for (const page of BROWSER_PAGES) {
    app.get(page, (request, reply) =>
      reply.type('text/html; charset=utf-8').send(browserPageHtml(page, request.flags?.context.userId)),
    );
  }

  app.get('/', async (request, reply) => {
    // The plugin's hook has run before every route handler: request.flags is set.
    const flags = request.flags!;
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
    // Templates also see `flags` on their own (reply.locals.flags): index.ejs reads flags.darkMode.
    return (reply as FastifyReply & { view(page: string, data: object): FastifyReply }).view('index.ejs', {
      user: flags.context.userId,
      users: DEMO_USERS,
      rows,
      source: app.featureFlags.source.name,
      status: app.featureFlags.status,
      browserFlags: scriptSafeJson(flags),
      // The page follows flag changes live through the dashboard's event stream, which only local visitors see.
      live: isLocal(request),
    });
  });
  return app;
}

// The browser-visible flags as JSON that cannot end the inline <script> it is written into.
function scriptSafeJson(flags: RequestFlags): string {
  return JSON.stringify(flags).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
