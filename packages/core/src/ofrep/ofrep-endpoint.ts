// The OpenFeature Remote Evaluation Protocol (OFREP) as a framework-free endpoint: what an OpenFeature web SDK
// (@openfeature/ofrep-web-provider) or a server OFREP provider asks, answered with this request's own flags —
// the user, session and properties the app's context hook builds, QA overrides included — and only the flags
// marked `browser: true`. Each adapter mounts it the framework's way.

import {
  conditionalJsonAnswer,
  flagsWithClientFields,
  jsonAnswer,
  jsonObjectBody,
} from '../endpoint/answers.js';
import type { Endpoint, EndpointRequest } from '../endpoint/endpoint.js';
import { ConfigurationError } from '../errors.js';
import {
  type BrowserChanges,
  browserChangesOf,
  browserStreamAnswer,
  SINCE_PARAMETER,
} from '../frontend-api/browser-changes.js';
import { contextFromBody, trustedFields } from '../frontend-api/client-context.js';
import { exposedFlagsOf } from '../frontend-api/frontend-api.js';
import {
  type ClientContextTrust,
  type FrontendApiExpose,
  rejectUnknownKeys,
  resolveClientContextTrust,
  resolveExpose,
} from '../frontend-api/options.js';
import type { RequestFlags } from '../request/request-flags.js';
import type { FlagName } from '../types.js';
import { toFlagContext } from './openfeature-context.js';
import { resolveExplanation } from './resolution.js';

/** Options of the OFREP endpoint. The two browser-facing options are the Frontend API's, with the same meaning. */
export interface OfrepEndpointOptions<Request = unknown> {
  /**
   * Context fields the web SDK sends that may count, named as Unleash names them once mapped from OpenFeature's
   * context (`targetingKey` → `userId`, other fields → `properties.<name>`, see the README's table): e.g.
   * `['properties.locale']`, `'properties.*'`, or a function per field. Trusted fields only fill in: the
   * request's own fields (user, session, IP, the context hook) always win, and everything else the browser
   * sends is ignored. Default: none.
   * @example trustClientContext: ['properties.locale', 'properties.screen']
   */
  trustClientContext?: ClientContextTrust<Request>;
  /** flags to serve besides those whose definition says `browser: true` (Unleash and GitLab flags carry no mark) */
  expose?: FrontendApiExpose;
  /**
   * Offer pages a live event stream (`eventStreams` in the bulk answer, `GET /ofrep/v1/events`), so the web
   * provider refetches within a moment of a change to a browser-visible flag instead of on focus. Default true.
   */
  eventStreams?: boolean;
}

const OPTION_KEYS = ['trustClientContext', 'expose', 'eventStreams'];
const SCOPE = '/ofrep/v1';
const PREFIX = `${SCOPE}/evaluate/flags`;
/** the event stream, below the mount point */
const EVENTS_PATH = `${SCOPE}/events`;
/** how long a hidden page keeps its stream open (OFREP's default, said out loud) */
const INACTIVITY_DELAY_SEC = 120;

/** The error codes the OFREP endpoint answers, member by member (OFREP's own list). */
interface OfrepErrorCodes {
  /** 404: no browser-visible flag of that name (a flag the browser may not see is answered as absent). */
  FLAG_NOT_FOUND: true;
  /** 400: the body is not JSON; or, for one flag, its definition or payload does not parse. */
  PARSE_ERROR: true;
  /** 400: the body's `context` is not an object. */
  INVALID_CONTEXT: true;
  /** 503 before the flags load; for one flag, any other reason it cannot be evaluated. */
  GENERAL: true;
}

type OfrepErrorCode = keyof OfrepErrorCodes;

interface FlagAnswer {
  key: string;
  value?: unknown;
  reason?: string;
  variant?: string;
  metadata?: Record<string, string | number | boolean>;
  errorCode?: OfrepErrorCode;
  errorDetails?: string;
}

/**
 * The OFREP endpoint: `POST /ofrep/v1/evaluate/flags` (every browser-visible flag, with an ETag; 304 when the
 * answer has not changed; `eventStreams` naming the live stream), `POST /ofrep/v1/evaluate/flags/{key}` (one
 * flag; a flag that is not browser-visible is answered as not found) and `GET /ofrep/v1/events` (server-sent
 * `refetchEvaluation` notices, sent when a browser-visible flag changes). Mount it where the web SDK's
 * `baseUrl` points.
 * @example
 * app.use(featureFlags());
 * app.use(mountEndpoint(ofrepEndpoint({ trustClientContext: ['properties.locale'] })));
 * // in the page: new OFREPWebProvider({ baseUrl: location.origin })
 */
export function ofrepEndpoint<Request = unknown>(
  options: OfrepEndpointOptions<Request> = {},
): Endpoint<Request> {
  const where = 'ofrepEndpoint(options)';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError(
      `${where}: options must be an object, e.g. { trustClientContext: ['properties.locale'] }`,
    );
  }
  rejectUnknownKeys(options, OPTION_KEYS, where);
  if (options.eventStreams !== undefined && typeof options.eventStreams !== 'boolean') {
    throw new ConfigurationError(`${where}: eventStreams must be true or false`);
  }
  const trust = resolveClientContextTrust<Request>(options.trustClientContext, where);
  const exposed = exposedFlagsOf<Request>({ expose: resolveExpose(options.expose, where) });
  const changes = options.eventStreams === false ? undefined : browserChangesOf(exposed);
  return {
    name: 'ofrepEndpoint()',
    // Evaluation and the event stream: at the app's root, every other path stays the app's.
    scope: SCOPE,
    async handle(request) {
      const { path } = request;
      if (path === EVENTS_PATH && changes !== undefined) {
        if (request.method !== 'GET') {
          return jsonAnswer(405, { errorDetails: 'the event stream is read with GET' }, { allow: 'GET' });
        }
        return browserStreamAnswer(request, changes(request.client));
      }
      if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return undefined;
      const key = path === PREFIX ? undefined : decodeKey(path.slice(PREFIX.length + 1));
      if (key === null) return undefined;
      if (request.method !== 'POST') {
        return jsonAnswer(405, { errorDetails: 'OFREP evaluates with POST' }, { allow: 'POST' });
      }
      if (!request.client.isReady) {
        return jsonAnswer(
          503,
          { errorCode: 'GENERAL', errorDetails: 'flags have not loaded yet' },
          { 'retry-after': '1' },
        );
      }
      const body = jsonObjectBody(await request.readBody());
      const sent = body === undefined ? undefined : sentContext(body.context);
      if (sent === undefined) {
        return jsonAnswer(400, {
          ...(key ? { key } : {}),
          errorCode: body === undefined ? 'PARSE_ERROR' : 'INVALID_CONTEXT',
          errorDetails:
            body === undefined ? 'the body must be JSON: { "context": {...} }' : 'context must be an object',
        });
      }
      const flags = flagsWithClientFields(request, trustedFields(sent, trust, request.request));
      const visible = exposed(request.client);
      if (key !== undefined) {
        const answer = answerFor(request, flags, key, visible.includes(key));
        return answer.errorCode === undefined
          ? jsonAnswer(200, answer)
          : jsonAnswer(answer.errorCode === 'FLAG_NOT_FOUND' ? 404 : 400, answer);
      }
      return conditionalJsonAnswer(
        request,
        { flags: visible.map((name) => answerFor(request, flags, name, true)) },
        {},
        changes === undefined
          ? undefined
          : { eventStreams: eventStreamsFor(request, changes(request.client)) },
      );
    },
  };
}

/**
 * The bulk answer's `eventStreams`: the stream below the same mount point (the origin is the provider's own
 * `baseUrl`'s), naming the state this answer came from so a change made before the page connects is not missed.
 * The URL holds nothing secret: the stream answers whoever the app lets reach the endpoint, and says only when
 * to refetch.
 */
function eventStreamsFor(request: EndpointRequest<any>, changes: BrowserChanges) {
  const since = encodeURIComponent(changes.state());
  return [
    {
      type: 'sse',
      endpoint: { requestUri: `${request.mountPath ?? ''}${EVENTS_PATH}?${SINCE_PARAMETER}=${since}` },
      inactivityDelaySec: INACTIVITY_DELAY_SEC,
    },
  ];
}

/** The SDK's OpenFeature context as the fields the app may trust; undefined when it is not an object. */
function sentContext(context: unknown) {
  if (context === undefined || context === null) return [];
  if (typeof context !== 'object' || Array.isArray(context)) return undefined;
  return contextFromBody({ context: toFlagContext(context as Record<string, unknown>) }) ?? [];
}

function answerFor(
  request: EndpointRequest<any>,
  flags: RequestFlags,
  key: string,
  visible: boolean,
): FlagAnswer {
  const definition = request.client.feature(key);
  if (!visible || definition === undefined) {
    return { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `no browser-visible flag named "${key}"` };
  }
  const explanation = flags.explain(key as FlagName);
  const resolution = resolveExplanation(explanation, definition, 'any', flags.context);
  if (resolution.errorCode !== undefined) {
    // The browser learns that the flag cannot be evaluated, not why: the detail may quote its definition.
    return {
      key,
      errorCode: resolution.errorCode === 'PARSE_ERROR' ? 'PARSE_ERROR' : 'GENERAL',
      errorDetails: `flag "${key}" cannot be evaluated (${resolution.errorCode})`,
    };
  }
  const answer: FlagAnswer = {
    key,
    value: resolution.value,
    reason: resolution.reason,
    metadata: { reason: explanation.reason, enabled: explanation.enabled },
  };
  if (resolution.variant !== undefined) answer.variant = resolution.variant;
  return answer;
}

function decodeKey(raw: string): string | null {
  if (raw === '' || raw.includes('/')) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
