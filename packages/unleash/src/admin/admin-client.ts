// A small client for the project-scoped admin API of Unleash 5.7+ (measured against 7.5.1): the calls pull,
// diff and push need, each turning Unleash's answer into an error that says what to do.
import { FlagwiseError } from '@flagwise/core';
import semver from 'semver';
import { redactUrls } from '../redact.js';

/** The oldest Unleash whose admin API has every endpoint the sync uses (feature dependencies came in 5.7). */
export const MINIMUM_UNLEASH_VERSION = '5.7.0';

/**
 * An admin API call that failed; `status` is the HTTP status (0 when the server could not be reached).
 * @example
 * try { await client.readProject('default', 'production') } catch (e) { if (e instanceof UnleashAdminError) console.error(e.message) }
 */
export class UnleashAdminError extends FlagwiseError {
  readonly status: number;
  constructor(
    code: 'UNAUTHORIZED' | 'MISCONFIGURED' | 'SOURCE_FAILED',
    status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'UnleashAdminError';
    this.status = status;
  }
}

/**
 * Options of `new UnleashAdminClient()`.
 * @example
 * const options: UnleashAdminClientOptions = { url: process.env.UNLEASH_URL!, token: process.env.UNLEASH_ADMIN_TOKEN! };
 */
export interface UnleashAdminClientOptions {
  /** the server, e.g. https://unleash.example.com (a trailing /api, as SDKs are given, is fine) */
  url: string;
  /** an admin API token or a personal access token, sent as `Authorization` */
  token: string;
  /** per request; default 15 000 ms */
  timeoutMs?: number;
}

/** A strategy as the admin API sends it. */
export interface AdminStrategy {
  id: string;
  name: string;
  title?: string | null;
  parameters?: Record<string, string | number>;
  constraints?: AdminConstraint[];
  segments?: number[];
  variants?: AdminVariant[];
  disabled?: boolean | null;
  sortOrder?: number;
}

export interface AdminConstraint {
  contextName: string;
  operator: string;
  values?: string[];
  value?: string;
  inverted?: boolean;
  caseInsensitive?: boolean;
}

export interface AdminVariant {
  name: string;
  weight: number;
  weightType?: string;
  stickiness?: string;
  payload?: { type: string; value: string } | null;
  overrides?: { contextName: string; values: string[] }[];
}

/** A flag as `GET /api/admin/projects/{project}/features/{name}` sends it (the fields the sync reads). */
export interface AdminFeature {
  name: string;
  type?: string;
  description?: string | null;
  impressionData?: boolean;
  project?: string;
  environments?: { name: string; enabled: boolean; strategies?: AdminStrategy[] }[];
  dependencies?: { feature: string; enabled?: boolean; variants?: string[] }[];
}

export interface AdminSegment {
  id: number;
  name: string;
  description?: string | null;
  project?: string | null;
  constraints: AdminConstraint[];
}

export interface AdminTag {
  type: string;
  value: string;
}

/** What a strategy write sends. */
export interface StrategyBody {
  name: string;
  title?: string | null;
  parameters: Record<string, string>;
  constraints: AdminConstraint[];
  segments: number[];
  variants: AdminVariant[];
  sortOrder?: number;
  disabled?: boolean;
}

function parsedUrl(text: unknown): URL | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The admin API calls of flagwise's pull, diff and push. Every method throws an UnleashAdminError whose message
 * says what to fix (a client token, a missing project, an unreachable server).
 * @example
 * const client = new UnleashAdminClient({ url: 'http://127.0.0.1:4242', token: process.env.UNLEASH_ADMIN_TOKEN! });
 * console.log(await client.version());
 */
export class UnleashAdminClient {
  readonly url: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(options: UnleashAdminClientOptions) {
    const url = parsedUrl(options.url);
    if (url === undefined) {
      throw new UnleashAdminError(
        'MISCONFIGURED',
        0,
        `the Unleash URL is not an http(s) URL (${JSON.stringify(redactUrls(String(options.url ?? '')))}): set UNLEASH_URL, e.g. UNLEASH_URL=https://unleash.example.com`,
      );
    }
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      throw new UnleashAdminError(
        'MISCONFIGURED',
        0,
        `the Unleash URL carries credentials or a query (${redactUrls(url.href)}): the admin API takes its token ` +
          'from UNLEASH_ADMIN_TOKEN; set UNLEASH_URL to the server alone, e.g. UNLEASH_URL=https://unleash.example.com',
      );
    }
    if (!options.token) {
      throw new UnleashAdminError(
        'UNAUTHORIZED',
        0,
        'no admin token: set UNLEASH_ADMIN_TOKEN to an admin API token (Admin → API access → New API token → Admin) ' +
          'or a personal access token (Profile → Personal API tokens)',
      );
    }
    this.url = `${url.origin}${url.pathname}`.replace(/\/+$/, '').replace(/\/api$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Sends one request; `what` names the call in error messages ("read flag checkout"). */
  async request<T>(method: string, path: string, what: string, body?: unknown): Promise<T> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          Authorization: this.token,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // the timeout covers the body too: a server that sends headers and then stalls ends the same way
      text = await response.text();
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new UnleashAdminError(
          'SOURCE_FAILED',
          0,
          `Unleash did not answer within ${this.timeoutMs} ms to ${what}: check UNLEASH_URL, or allow longer ` +
            '(timeoutMs; --timeout for flagwise)',
          { cause: error },
        );
      }
      throw new UnleashAdminError(
        'SOURCE_FAILED',
        0,
        `could not reach Unleash at ${this.url} to ${what} (${(error as Error).message}): check UNLEASH_URL`,
        { cause: error },
      );
    }
    if (!response.ok) throw this.failure(response.status, text, what);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UnleashAdminError(
        'SOURCE_FAILED',
        response.status,
        `Unleash answered ${method} ${path} with something that is not JSON: is UNLEASH_URL the Unleash server?`,
      );
    }
  }

  private failure(status: number, text: string, what: string): UnleashAdminError {
    let message = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { message?: string; details?: { message?: string }[] };
      message = parsed.details?.[0]?.message ?? parsed.message ?? message;
    } catch {
      // not JSON: keep the text
    }
    if (status === 401) {
      return new UnleashAdminError(
        'UNAUTHORIZED',
        status,
        `Unleash refused the token (401) to ${what}: set UNLEASH_ADMIN_TOKEN to a valid admin API token or personal access token`,
      );
    }
    if (status === 403 && /different token type/i.test(message)) {
      return new UnleashAdminError(
        'UNAUTHORIZED',
        status,
        `the token in UNLEASH_ADMIN_TOKEN is a client or frontend token, which cannot ${what}: pull, diff and push need ` +
          'an admin API token (Admin → API access → New API token → Admin) or a personal access token ' +
          '(Profile → Personal API tokens) of a user with rights on the project',
      );
    }
    if (status === 403 && /variants deprecated/i.test(message)) {
      return new UnleashAdminError(
        'MISCONFIGURED',
        status,
        `this Unleash refuses flag-level variants (${message}): move the flag's variants: into its rule ` +
          '(strategy variants), or start Unleash with UNLEASH_EXPERIMENTAL_ENABLE_LEGACY_VARIANTS=true',
      );
    }
    if (status === 403) {
      return new UnleashAdminError(
        'UNAUTHORIZED',
        status,
        `the token lacks the right to ${what} (403: ${message}): give its user that permission in the project, or use an admin token`,
      );
    }
    if (status === 404) {
      return new UnleashAdminError(
        'MISCONFIGURED',
        status,
        `Unleash has no endpoint or object for "${what}" (404: ${message}); Unleash ${MINIMUM_UNLEASH_VERSION} or later is needed`,
      );
    }
    return new UnleashAdminError(
      'SOURCE_FAILED',
      status,
      `Unleash could not ${what} (${status}: ${message})`,
    );
  }

  /** The server's version, e.g. `7.5.1`. */
  async version(): Promise<string> {
    const config = await this.request<{ version?: string; versionInfo?: { current?: { oss?: string } } }>(
      'GET',
      '/api/admin/ui-config',
      'read the server version',
    );
    return config.versionInfo?.current?.oss || config.version || '0.0.0';
  }

  /**
   * Fails with a message that says how to fix it unless the server is new enough, the project exists and the
   * environment is enabled in it.
   */
  async checkTarget(project: string, environment: string): Promise<void> {
    const version = await this.version();
    const coerced = semver.coerce(version)?.version;
    if (!coerced || semver.lt(coerced, MINIMUM_UNLEASH_VERSION)) {
      throw new UnleashAdminError(
        'MISCONFIGURED',
        0,
        `Unleash ${version} lacks admin endpoints the sync needs (feature dependencies, project-scoped strategies): ` +
          `upgrade to ${MINIMUM_UNLEASH_VERSION} or later`,
      );
    }
    const { projects } = await this.request<{ projects: { id: string }[] }>(
      'GET',
      '/api/admin/projects',
      'list projects',
    );
    if (!projects.some((entry) => entry.id === project)) {
      throw new UnleashAdminError(
        'MISCONFIGURED',
        404,
        `Unleash has no project "${project}"; its projects: ${projects.map((entry) => entry.id).join(', ') || 'none'}`,
      );
    }
    const { environments } = await this.request<{ environments: { name: string; enabled: boolean }[] }>(
      'GET',
      `/api/admin/environments/project/${encodeURIComponent(project)}`,
      `list the environments of project ${project}`,
    );
    const found = environments.find((entry) => entry.name === environment);
    if (!found || found.enabled === false) {
      throw new UnleashAdminError(
        'MISCONFIGURED',
        404,
        `project "${project}" has no ${found ? 'enabled ' : ''}environment "${environment}"; its environments: ` +
          `${environments.map((entry) => entry.name).join(', ') || 'none'}`,
      );
    }
  }

  private featurePath(project: string, name?: string): string {
    const base = `/api/admin/projects/${encodeURIComponent(project)}/features`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  private environmentPath(project: string, name: string, environment: string): string {
    return `${this.featurePath(project, name)}/environments/${encodeURIComponent(environment)}`;
  }

  /** Names of the project's live (not archived) flags. */
  async featureNames(project: string): Promise<string[]> {
    const { features } = await this.request<{ features: { name: string }[] }>(
      'GET',
      this.featurePath(project),
      `list the flags of project ${project}`,
    );
    return features.map((feature) => feature.name);
  }

  /** One flag, or undefined when the project has no live flag of that name. */
  async feature(project: string, name: string): Promise<AdminFeature | undefined> {
    try {
      return await this.request<AdminFeature>('GET', this.featurePath(project, name), `read flag ${name}`);
    } catch (error) {
      if (error instanceof UnleashAdminError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The flag's variants in one environment (Unleash's flag-level variants). */
  async featureVariants(project: string, name: string, environment: string): Promise<AdminVariant[]> {
    const { variants } = await this.request<{ variants?: AdminVariant[] }>(
      'GET',
      `${this.environmentPath(project, name, environment)}/variants`,
      `read the variants of ${name}`,
    );
    return variants ?? [];
  }

  async tags(name: string): Promise<AdminTag[]> {
    const { tags } = await this.request<{ tags?: AdminTag[] }>(
      'GET',
      `/api/admin/features/${encodeURIComponent(name)}/tags`,
      `read the tags of ${name}`,
    );
    return tags ?? [];
  }

  async segments(): Promise<AdminSegment[]> {
    const { segments } = await this.request<{ segments?: AdminSegment[] }>(
      'GET',
      '/api/admin/segments',
      'list segments',
    );
    return segments ?? [];
  }

  async segment(id: number): Promise<AdminSegment | undefined> {
    try {
      return await this.request<AdminSegment>('GET', `/api/admin/segments/${id}`, `read segment ${id}`);
    } catch (error) {
      if (error instanceof UnleashAdminError && error.status === 404) return undefined;
      throw error;
    }
  }

  async createSegment(segment: { name: string; constraints: AdminConstraint[] }): Promise<number> {
    const created = await this.request<{ id: number }>(
      'POST',
      '/api/admin/segments',
      `create segment ${segment.name}`,
      { ...segment, description: 'managed by flagwise push' },
    );
    return created.id;
  }

  async updateSegment(id: number, segment: { name: string; constraints: AdminConstraint[] }): Promise<void> {
    await this.request('PUT', `/api/admin/segments/${id}`, `update segment ${segment.name}`, segment);
  }

  /** Is the name free? False when a live or an archived flag has it. */
  async nameIsFree(name: string): Promise<boolean> {
    try {
      await this.request('POST', '/api/admin/features/validate', `check the name ${name}`, { name });
      return true;
    } catch (error) {
      if (error instanceof UnleashAdminError && error.status === 409) return false;
      throw error;
    }
  }

  async createFeature(
    project: string,
    feature: { name: string; type: string; description: string | null; impressionData: boolean },
  ): Promise<void> {
    await this.request('POST', this.featurePath(project), `create flag ${feature.name}`, {
      ...feature,
      description: feature.description ?? '',
    });
  }

  /** Replaces top-level fields (type, description, impressionData) through a JSON patch. */
  async patchFeature(project: string, name: string, fields: Record<string, unknown>): Promise<void> {
    const operations = Object.entries(fields).map(([key, value]) => ({
      op: 'replace',
      path: `/${key}`,
      value,
    }));
    await this.request('PATCH', this.featurePath(project, name), `update flag ${name}`, operations);
  }

  async addStrategy(project: string, name: string, environment: string, body: StrategyBody): Promise<string> {
    const created = await this.request<{ id: string }>(
      'POST',
      `${this.environmentPath(project, name, environment)}/strategies`,
      `add a strategy to ${name}`,
      body,
    );
    return created.id;
  }

  async updateStrategy(
    project: string,
    name: string,
    environment: string,
    id: string,
    body: StrategyBody,
  ): Promise<void> {
    await this.request(
      'PUT',
      `${this.environmentPath(project, name, environment)}/strategies/${encodeURIComponent(id)}`,
      `update a strategy of ${name}`,
      body,
    );
  }

  async deleteStrategy(project: string, name: string, environment: string, id: string): Promise<void> {
    await this.request(
      'DELETE',
      `${this.environmentPath(project, name, environment)}/strategies/${encodeURIComponent(id)}`,
      `delete a strategy of ${name}`,
    );
  }

  async setEnabled(project: string, name: string, environment: string, enabled: boolean): Promise<void> {
    await this.request(
      'POST',
      `${this.environmentPath(project, name, environment)}/${enabled ? 'on' : 'off'}`,
      `turn ${name} ${enabled ? 'on' : 'off'}`,
    );
  }

  async setFeatureVariants(
    project: string,
    name: string,
    environment: string,
    variants: AdminVariant[],
  ): Promise<void> {
    await this.request(
      'PUT',
      `${this.environmentPath(project, name, environment)}/variants`,
      `set the variants of ${name}`,
      variants,
    );
  }

  async addDependency(
    project: string,
    child: string,
    dependency: { feature: string; enabled: boolean; variants: string[] },
  ): Promise<void> {
    await this.request(
      'POST',
      `${this.featurePath(project, child)}/dependencies`,
      `make ${child} depend on ${dependency.feature}`,
      dependency,
    );
  }

  async deleteDependencies(project: string, child: string): Promise<void> {
    await this.request(
      'DELETE',
      `${this.featurePath(project, child)}/dependencies`,
      `remove the dependencies of ${child}`,
    );
  }

  /**
   * The constraint operators this server accepts, from its OpenAPI document; undefined when it publishes none
   * (then the server's own validation answers).
   */
  async constraintOperators(): Promise<string[] | undefined> {
    try {
      const spec = await this.request<{
        components?: { schemas?: { constraintSchema?: { properties?: { operator?: { enum?: string[] } } } } };
      }>('GET', '/docs/openapi.json', 'read the API description');
      return spec.components?.schemas?.constraintSchema?.properties?.operator?.enum;
    } catch {
      return undefined;
    }
  }

  /** Names of the strategy types Unleash accepts (built-in and custom). */
  async strategyTypes(): Promise<string[]> {
    const { strategies } = await this.request<{ strategies?: { name: string }[] }>(
      'GET',
      '/api/admin/strategies',
      'list strategy types',
    );
    return (strategies ?? []).map((strategy) => strategy.name);
  }

  /** Defines a strategy type, with its parameters as text (`userIds` as a list). */
  async createStrategyType(name: string, parameters: string[]): Promise<void> {
    await this.request('POST', '/api/admin/strategies', `define strategy type ${name}`, {
      name,
      description: 'defined by flagwise push for the flags that use it',
      parameters: parameters.map((parameter) => ({
        name: parameter,
        type: parameter === 'userIds' ? 'list' : 'string',
        description: '',
        required: false,
      })),
    });
  }

  async tagTypes(): Promise<string[]> {
    const { tagTypes } = await this.request<{ tagTypes?: { name: string }[] }>(
      'GET',
      '/api/admin/tag-types',
      'list tag types',
    );
    return (tagTypes ?? []).map((type) => type.name);
  }

  async createTagType(name: string): Promise<void> {
    await this.request('POST', '/api/admin/tag-types', `create tag type ${name}`, {
      name,
      description: 'created by flagwise push',
    });
  }

  async addTag(name: string, tag: AdminTag): Promise<void> {
    await this.request('POST', `/api/admin/features/${encodeURIComponent(name)}/tags`, `tag ${name}`, tag);
  }

  async removeTag(name: string, tag: AdminTag): Promise<void> {
    await this.request(
      'DELETE',
      `/api/admin/features/${encodeURIComponent(name)}/tags/${encodeURIComponent(tag.type)}/${encodeURIComponent(tag.value)}`,
      `remove tag ${tag.type}:${tag.value} from ${name}`,
    );
  }

  /** Archives flags (Unleash keeps them in its archive, from where they can be revived). */
  async archive(project: string, names: string[]): Promise<void> {
    await this.request(
      'POST',
      `/api/admin/projects/${encodeURIComponent(project)}/archive`,
      `archive ${names.join(', ')}`,
      { features: names },
    );
  }
}
