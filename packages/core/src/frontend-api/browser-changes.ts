// What a page's event stream hears (OFREP's `eventStreams`, the Frontend API's `/events`): a `refetchEvaluation`
// whenever what the page can see may have changed. Only browser-visible flags count, with the flags and segments
// they depend on: a change to a flag no page can see sends nothing. The state the page last heard of is a digest
// of those definitions, the same in every process serving the same flags, so a page that reconnects (after a
// restart, or to another instance) learns at once whether it missed a change.
import { createHash } from 'node:crypto';
import type { FlagsClient } from '../client/flags-client.js';
import type { EndpointRequest, EndpointResponse } from '../endpoint/endpoint.js';
import { eventStreamsOf, type ServerSentEvent, StreamChannel } from '../endpoint/event-streams.js';
import { headerText } from '../endpoint/headers.js';
import type { ClientFeaturesPayload, FeatureDefinition } from '../types.js';

/** The notice a page refetches on: OFREP's event (ADR-0008), which the Frontend API's stream sends too. */
export const REFETCH_EVENT_TYPE = 'refetchEvaluation';

/** The query parameter of a stream URL that names the state the page's answer came from. */
export const SINCE_PARAMETER = 'since';

/** One endpoint's view of one client's browser flags: their state, and the channel of the pages that follow it. */
export interface BrowserChanges {
  readonly channel: StreamChannel;
  /** the digest of the definitions the endpoint's pages can see (and what they depend on) */
  state(): string;
}

/**
 * Per client, the state of the flags `exposed` names and a channel that hears a `refetchEvaluation` each time
 * that state changes. One per endpoint: endpoints may expose different flags.
 */
export function browserChangesOf(
  exposed: (client: FlagsClient<any>) => readonly string[],
): (client: FlagsClient<any>) => BrowserChanges {
  const byClient = new WeakMap<FlagsClient<any>, BrowserChanges>();
  return (client) => {
    let changes = byClient.get(client);
    if (changes === undefined) {
      changes = watchBrowserFlags(client, exposed);
      byClient.set(client, changes);
    }
    return changes;
  };
}

function watchBrowserFlags(
  client: FlagsClient<any>,
  exposed: (client: FlagsClient<any>) => readonly string[],
): BrowserChanges {
  const channel = new StreamChannel();
  const states = new WeakMap<ClientFeaturesPayload, string>();
  const state = () => {
    const definitions = client.definitions();
    let digest = states.get(definitions);
    if (digest === undefined) {
      digest = digestOf(definitions, exposed(client), (name) => client.feature(name));
      states.set(definitions, digest);
    }
    return digest;
  };
  let last = state();
  const check = () => {
    const now = state();
    if (now === last) return;
    last = now;
    channel.send(refetchEvent(now));
  };
  client.on('changed', check);
  client.on('ready', check);
  client.once('close', () => {
    client.off('changed', check);
    client.off('ready', check);
  });
  return { channel, state };
}

/** The `refetchEvaluation` event for the state `state`, with the state as its id and its etag. */
export function refetchEvent(state: string): ServerSentEvent {
  return { id: state, data: JSON.stringify({ type: REFETCH_EVENT_TYPE, etag: state }) };
}

/**
 * The answer to a page's stream request: a stream on the endpoint's channel that starts with a catch-up
 * `refetchEvaluation` when the page's state (`Last-Event-ID` on a reconnect, else the URL's `since`) is not the
 * current one, and otherwise with the current state as the id a reconnect sends back.
 */
export function browserStreamAnswer(
  request: EndpointRequest<any>,
  changes: BrowserChanges,
  headers: Record<string, string> = {},
): EndpointResponse {
  const known =
    headerText(request.headers['last-event-id']) || request.query.get(SINCE_PARAMETER) || undefined;
  return eventStreamsOf(request.client).answer({
    channel: changes.channel,
    headers,
    first: () => {
      const current = changes.state();
      return [known !== undefined && known !== current ? refetchEvent(current) : { id: current }];
    },
  });
}

/** What of a definition can change an answer a page sees. */
function evaluated(feature: FeatureDefinition) {
  return [
    feature.name,
    feature.enabled,
    feature.strategies ?? [],
    feature.variants ?? [],
    feature.dependencies ?? [],
    feature.impressionData === true,
  ];
}

/** A digest of the visible flags, the flags they depend on (transitively) and the segments all of them use. */
function digestOf(
  definitions: ClientFeaturesPayload,
  visible: readonly string[],
  feature: (name: string) => FeatureDefinition | undefined,
): string {
  const names = new Set<string>();
  const pending = [...visible];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (names.has(name)) continue;
    names.add(name);
    for (const dependency of feature(name)?.dependencies ?? []) pending.push(dependency.feature);
  }
  const segmentIds = new Set<number>();
  const hash = createHash('sha1');
  hash.update(JSON.stringify(visible));
  for (const name of [...names].sort()) {
    const definition = feature(name);
    if (definition === undefined) {
      hash.update(`\n${JSON.stringify(name)}:absent`);
      continue;
    }
    for (const strategy of definition.strategies ?? [])
      for (const id of strategy.segments ?? []) segmentIds.add(id);
    hash.update(`\n${JSON.stringify(evaluated(definition))}`);
  }
  for (const segment of definitions.segments ?? []) {
    if (segmentIds.has(segment.id)) hash.update(`\n${JSON.stringify(segment)}`);
  }
  return hash.digest('base64url');
}
