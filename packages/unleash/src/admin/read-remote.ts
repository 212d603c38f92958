// Reads one project and environment from the admin API into the compared shape.
import type { UnleashAdminClient } from './admin-client.js';
import { type RemoteFlag, type RemoteState, remoteFlag, remoteSegment } from './flag-state.js';

/**
 * Which flags of the project the sync manages.
 * @example
 * const scope: SyncScope = { project: 'default', environment: 'production', prefix: 'shop-' };
 */
export interface SyncScope {
  project: string;
  environment: string;
  /** manage only flags whose names start with this (several files can share one project); default all */
  prefix?: string;
}

/** Parallel reads, bounded so a large project does not flood the server. */
const READ_CONCURRENCY = 4;

async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Reads one flag as it is now, or undefined when the project has no live flag of that name. */
export async function readRemoteFlag(
  client: UnleashAdminClient,
  scope: SyncScope,
  name: string,
  segmentNames: ReadonlyMap<number, string>,
): Promise<RemoteFlag | undefined> {
  const feature = await client.feature(scope.project, name);
  if (!feature) return undefined;
  const [variants, tags] = await Promise.all([
    client.featureVariants(scope.project, name, scope.environment),
    client.tags(name),
  ]);
  return remoteFlag(feature, scope.environment, variants, tags, segmentNames);
}

/**
 * Reads every managed flag of the project in one environment, and every segment.
 * @example
 * const remote = await readRemoteState(client, { project: 'default', environment: 'production' });
 */
export async function readRemoteState(client: UnleashAdminClient, scope: SyncScope): Promise<RemoteState> {
  await client.checkTarget(scope.project, scope.environment);
  const segments = (await client.segments()).map(remoteSegment);
  const segmentNames = new Map(segments.map((segment) => [segment.id, segment.name]));
  const names = (await client.featureNames(scope.project))
    .filter((name) => scope.prefix === undefined || name.startsWith(scope.prefix))
    .sort();
  const flags = await mapBounded(names, READ_CONCURRENCY, (name) =>
    readRemoteFlag(client, scope, name, segmentNames),
  );
  return {
    project: scope.project,
    environment: scope.environment,
    flags: flags.filter((flag): flag is RemoteFlag => flag !== undefined),
    segments,
    strategyTypes: await client.strategyTypes(),
  };
}
