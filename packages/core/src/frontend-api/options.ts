// The options of the Unleash Frontend API endpoint, checked once at startup: a wrong option throws a
// ConfigurationError that says how to fix it, so nothing is found out on the first browser request.
import { ConfigurationError } from '../errors.js';
import { closest } from '../flags-file/issues.js';
import type { FeatureDefinition } from '../types.js';

/**
 * Which flags a browser may see besides those marked `browser: true` in their definition (flags.yaml). Unleash
 * and GitLab definitions carry no such mark, so pick their browser flags here: a list of names, a name prefix,
 * or a function of the definition.
 * @example
 * expose: ['new-checkout', 'dark-mode']
 * expose: { prefix: 'web.' }
 * expose: (feature) => feature.project === 'web'
 */
export type FrontendApiExpose =
  | readonly string[]
  | { readonly prefix: string }
  | ((feature: FeatureDefinition) => boolean);

/**
 * Which context fields the browser may set. The context is built from the request as for `req.flags`
 * (user, session, IP, the app's context hook); what the browser sends is ignored unless listed here, and even
 * then only fills in: a field the request's own context has always wins. Field names
 * are Unleash's: `sessionId`, `remoteAddress`, `currentTime`, `appName`, `environment`, `userId`, and
 * `properties.<name>` (`properties.*` for every property). A function is asked once per field the browser sent,
 * `userId` included (it then names only a visitor the request does not already know).
 * @example
 * trustClientContext: ['properties.theme', 'properties.screen']
 * trustClientContext: (field) => field.startsWith('properties.')
 */
export type ClientContextTrust<Request = unknown> =
  | readonly string[]
  | ((field: string, value: string, request: Request) => boolean);

/** Cross-origin access, for a front end served from another origin than the app. Off by default. */
export interface FrontendApiCors {
  /** the origins allowed: `'*'`, one origin, a list, or a function of the request's Origin header */
  origin: string | readonly string[] | ((origin: string) => boolean);
  /** send `Access-Control-Allow-Credentials: true`, for a client whose `fetch` sends cookies; not with `'*'` */
  credentials?: boolean;
  /** how long a browser may cache the preflight answer, in seconds; default 600 */
  maxAgeSeconds?: number;
}

/**
 * Options of the Unleash Frontend API endpoint (`flagsFrontendApi(options)` in each adapter).
 * @example
 * flagsFrontendApi({ clientKeys: [process.env.FRONTEND_KEY!], trustClientContext: ['properties.theme'] })
 */
export interface FrontendApiOptions<Request = unknown> {
  /**
   * The keys browsers must send in the `Authorization` header (unleash-proxy-client's `clientKey`). Without
   * this option any key is accepted: the answers are the request's own user's flags either way.
   */
  clientKeys?: readonly string[];
  /** browser-sent context fields to take; default none (see ClientContextTrust) */
  trustClientContext?: ClientContextTrust<Request>;
  /** flags to show besides those whose definition says `browser: true` (see FrontendApiExpose) */
  expose?: FrontendApiExpose;
  /** cross-origin access; default off (same origin only) */
  cors?: FrontendApiCors;
}

const OPTION_KEYS = ['clientKeys', 'trustClientContext', 'expose', 'cors'] as const;
const CORS_KEYS = ['origin', 'credentials', 'maxAgeSeconds'] as const;
/** the context fields a browser may be trusted with, besides `properties.<name>` */
export const CLIENT_CONTEXT_FIELDS = [
  'userId',
  'sessionId',
  'remoteAddress',
  'currentTime',
  'appName',
  'environment',
] as const;

/** Options as the endpoint uses them. */
export interface ResolvedFrontendApiOptions<Request> {
  clientKeys: ReadonlySet<string> | undefined;
  trust: ((field: string, value: string, request: Request) => boolean) | undefined;
  expose: ((feature: FeatureDefinition) => boolean) | undefined;
  cors: ResolvedCors | undefined;
}

export interface ResolvedCors {
  allows(origin: string): boolean;
  anyOrigin: boolean;
  credentials: boolean;
  maxAgeSeconds: number;
}

/** Checks the options and turns them into what the endpoint calls; throws a ConfigurationError when one is wrong. */
export function resolveFrontendApiOptions<Request>(
  options: FrontendApiOptions<Request> | undefined,
  where: string,
): ResolvedFrontendApiOptions<Request> {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError(
      `${where}: options must be an object, e.g. ${where.replace(/\(.*$/, '')}({ clientKeys: [process.env.FRONTEND_KEY] })`,
    );
  }
  rejectUnknownKeys(options, OPTION_KEYS, where);
  return {
    clientKeys: resolveClientKeys(options.clientKeys, where),
    trust: resolveClientContextTrust(options.trustClientContext, where),
    expose: resolveExpose(options.expose, where),
    cors: resolveCors(options.cors, where),
  };
}

/** Throws a ConfigurationError naming an unknown option, the nearest known one, and every known one. */
export function rejectUnknownKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const suggestion = closest(key, known);
    throw new ConfigurationError(
      `${where}: unknown option "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ` +
        `it takes ${known.join(', ')}`,
    );
  }
}

function resolveClientKeys(keys: unknown, where: string): ReadonlySet<string> | undefined {
  if (keys === undefined) return undefined;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    keys.some((key) => typeof key !== 'string' || key === '')
  ) {
    throw new ConfigurationError(
      `${where}: clientKeys must be a non-empty list of non-empty strings, e.g. clientKeys: [process.env.FRONTEND_KEY] ` +
        '(leave it out to accept any key)',
    );
  }
  return new Set(keys as string[]);
}

/** Checks `trustClientContext` and turns it into a per-field check; throws a ConfigurationError when it is wrong. */
export function resolveClientContextTrust<Request>(
  trust: unknown,
  where: string,
): ((field: string, value: string, request: Request) => boolean) | undefined {
  if (trust === undefined) return undefined;
  if (typeof trust === 'function') {
    const ask = trust as (field: string, value: string, request: Request) => unknown;
    return (field, value, request) => {
      try {
        return ask(field, value, request) === true;
      } catch {
        // A throwing hook trusts nothing: the request's own context stands.
        return false;
      }
    };
  }
  if (!Array.isArray(trust)) {
    throw new ConfigurationError(
      `${where}: trustClientContext must be a list of context fields or a function, e.g. trustClientContext: ['properties.theme']`,
    );
  }
  const fields = new Set<string>();
  let allProperties = false;
  for (const field of trust) {
    if (field === 'properties.*') allProperties = true;
    else if (
      typeof field === 'string' &&
      ((CLIENT_CONTEXT_FIELDS as readonly string[]).includes(field) ||
        (field.startsWith('properties.') && field.length > 'properties.'.length))
    ) {
      fields.add(field);
    } else {
      const suggestion = typeof field === 'string' ? closest(field, CLIENT_CONTEXT_FIELDS) : undefined;
      throw new ConfigurationError(
        `${where}: trustClientContext lists ${JSON.stringify(field)}, which is not a context field` +
          `${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; use ${CLIENT_CONTEXT_FIELDS.join(', ')}, ` +
          "'properties.<name>' or 'properties.*'",
      );
    }
  }
  if (fields.size === 0 && !allProperties) return undefined;
  return (field) => fields.has(field) || (allProperties && field.startsWith('properties.'));
}

/** Checks `expose` and turns it into a check of a definition; throws a ConfigurationError when it is wrong. */
export function resolveExpose(
  expose: unknown,
  where: string,
): ((feature: FeatureDefinition) => boolean) | undefined {
  if (expose === undefined) return undefined;
  if (typeof expose === 'function') {
    const pick = expose as (feature: FeatureDefinition) => unknown;
    return (feature) => {
      try {
        return pick(feature) === true;
      } catch {
        // A throwing hook shows nothing more: a browser never sees a flag by accident.
        return false;
      }
    };
  }
  if (Array.isArray(expose)) {
    if (expose.some((name) => typeof name !== 'string')) {
      throw new ConfigurationError(
        `${where}: expose must list flag names as strings, e.g. expose: ['new-checkout', 'dark-mode']`,
      );
    }
    const names = new Set(expose as string[]);
    return (feature) => names.has(feature.name);
  }
  if (
    expose !== null &&
    typeof expose === 'object' &&
    Object.keys(expose).length === 1 &&
    typeof (expose as { prefix?: unknown }).prefix === 'string' &&
    (expose as { prefix: string }).prefix !== ''
  ) {
    const prefix = (expose as { prefix: string }).prefix;
    return (feature) => feature.name.startsWith(prefix);
  }
  throw new ConfigurationError(
    `${where}: expose must be a list of flag names, { prefix: 'web.' } or a function of the flag's definition, ` +
      "e.g. expose: (feature) => feature.project === 'web'",
  );
}

function resolveCors(cors: unknown, where: string): ResolvedCors | undefined {
  if (cors === undefined) return undefined;
  if (cors === null || typeof cors !== 'object' || Array.isArray(cors)) {
    throw new ConfigurationError(
      `${where}: cors must be an object, e.g. cors: { origin: 'https://shop.example.com' }`,
    );
  }
  rejectUnknownKeys(cors, CORS_KEYS, `${where}: cors`);
  const { origin, credentials, maxAgeSeconds } = cors as FrontendApiCors;
  if (credentials !== undefined && typeof credentials !== 'boolean') {
    throw new ConfigurationError(`${where}: cors.credentials must be true or false`);
  }
  if (
    maxAgeSeconds !== undefined &&
    (typeof maxAgeSeconds !== 'number' || !Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0)
  ) {
    throw new ConfigurationError(`${where}: cors.maxAgeSeconds must be a whole number of seconds, e.g. 600`);
  }
  const anyOrigin = origin === '*';
  if (anyOrigin && credentials) {
    throw new ConfigurationError(
      `${where}: cors: origin '*' cannot be used with credentials: true (browsers refuse it); list the origins instead`,
    );
  }
  let allows: (origin: string) => boolean;
  if (anyOrigin) allows = () => true;
  else if (typeof origin === 'string' && origin !== '') allows = (value) => value === origin;
  else if (
    Array.isArray(origin) &&
    origin.length > 0 &&
    origin.every((o) => typeof o === 'string' && o !== '')
  ) {
    const origins = new Set(origin as string[]);
    allows = (value) => origins.has(value);
  } else if (typeof origin === 'function') {
    const check = origin as (origin: string) => unknown;
    allows = (value) => {
      try {
        return check(value) === true;
      } catch {
        return false;
      }
    };
  } else {
    throw new ConfigurationError(
      `${where}: cors.origin must be '*', an origin such as 'https://shop.example.com', a list of them or a function`,
    );
  }
  return { allows, anyOrigin, credentials: credentials === true, maxAgeSeconds: maxAgeSeconds ?? 600 };
}
