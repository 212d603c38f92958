// The flag names route guards use, kept per client: each client warns (with the nearest defined name) about its
// own guards that name a flag its definitions lack, when its flags load and after each change, and never about
// another app's.
//
// Which client a guard serves is known for sure when a request comes through it (`flagAllows(..., guard)`) or
// when the framework says which app a route is on (Fastify's onRoute, Nest's bootstrap). Until then a guard
// belongs to the adapter set up last before it was made (the app being built: `app.use(featureFlags())`, then
// its routes), or, made before any, to the next one set up; a guard whose adapter names its app as the app starts
// (Nest's decorators, made when their module file loads, perhaps while another app runs) waits for that. That one
// fact, which adapter is being set up, is all this module keeps for the process.
import type { FlagsClient } from '../client/flags-client.js';
import { resolveLogger } from '../logger.js';
import { requestPathOf } from '../request/request-path.js';
import { featureHasVariants, flagNameSuggestion } from '../snapshot/snapshot.js';
import type { Logger } from '../types.js';

/** What the adapter layer knows of one guard: its flag, how the user wrote it, and the clients it serves. */
export interface GuardDeclaration {
  readonly name: string;
  /** how the user wrote the guard, for the warning: `requireFeature('beta')` */
  readonly where: string;
  readonly needsVariants: boolean;
  /** the client the guard's last request came through (what `flagAllows` compares with, cheaply) */
  lastClient: unknown;
  /** the guard serves this client's requests: its flag name is that client's to check */
  servedBy(client: unknown): void;
  /** Logs `error` the first time only, through the client the guard serves (stderr when none is known). */
  reportOnce(error: Error): void;
}

/** The guards of one client, checked against its definitions. */
class GuardedFlags {
  private readonly guards = new Set<GuardDeclaration>();
  private readonly warned = new Set<string>();
  private checkedDefinitions: unknown;
  private checkScheduled = false;

  constructor(private readonly client: FlagsClient<any>) {
    const check = () => this.check();
    client.on('ready', check);
    client.on('changed', check);
  }

  get logger(): Logger {
    return this.client.logger;
  }

  /** false once the client is closed: guards made since belong to the next adapter set up */
  get open(): boolean {
    return requestPathOf(this.client)?.clientClosed === false;
  }

  add(guard: GuardDeclaration): void {
    if (this.guards.has(guard)) return;
    this.guards.add(guard);
    this.scheduleCheck();
  }

  remove(guard: GuardDeclaration): void {
    this.guards.delete(guard);
  }

  /** Guards are made in a burst while an app is built: check once the burst is over. */
  scheduleCheck(): void {
    if (this.checkScheduled || !this.client.isReady) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.check();
    }).unref();
  }

  private check(): void {
    const client = this.client;
    if (!client.isReady || !this.open) return;
    const definitions = client.definitions();
    if (definitions !== this.checkedDefinitions) {
      this.checkedDefinitions = definitions;
      this.warned.clear();
    }
    const byName = new Map<string, { where: Set<string>; needsVariants: boolean }>();
    for (const guard of this.guards) {
      const entry = byName.get(guard.name);
      if (entry === undefined)
        byName.set(guard.name, { where: new Set([guard.where]), needsVariants: guard.needsVariants });
      else {
        entry.where.add(guard.where);
        entry.needsVariants ||= guard.needsVariants;
      }
    }
    for (const [name, { where, needsVariants }] of byName) {
      const feature = client.feature(name);
      let problem: string | undefined;
      if (feature === undefined) {
        problem = `names flag "${name}", which is not defined: the route always answers as off${suggestion(client, name)}`;
      } else if (needsVariants && !featureHasVariants(feature)) {
        problem = `asks for variants of flag "${name}", which has none: the route always answers as off`;
      }
      if (problem === undefined || this.warned.has(name)) continue;
      this.warned.add(name);
      const message = `${[...where].join(', ')} ${problem}`;
      client.logger.warn({ flag: name }, `flagwise: ${message}`);
      if (client.listenerCount('warn') > 0) client.emit('warn', message);
    }
  }
}

/** Each client's guards (the map only finds them; the state is the client's). */
const guardsByClient = new WeakMap<object, GuardedFlags>();
/** The guards of the adapter set up last, while its client is open. */
let beingSetUp: WeakRef<GuardedFlags> | undefined;
/** Guards made before any adapter was set up, for the next one. */
const awaitingAnAdapter = new Set<GuardDeclaration>();

function guardsOf(client: FlagsClient<any>): GuardedFlags {
  let guards = guardsByClient.get(client);
  if (guards === undefined) {
    guards = new GuardedFlags(client);
    guardsByClient.set(client, guards);
  }
  return guards;
}

class Declaration implements GuardDeclaration {
  lastClient: unknown = undefined;
  /** the client it was given to before any request showed which one it serves */
  private assumed: GuardedFlags | undefined;
  private reported = false;

  constructor(
    readonly name: string,
    readonly where: string,
    readonly needsVariants: boolean,
    claimedAtStartup: boolean,
  ) {
    if (claimedAtStartup) return;
    const current = beingSetUp?.deref();
    if (current?.open === true) this.assumeServing(current);
    else awaitingAnAdapter.add(this);
  }

  assumeServing(guards: GuardedFlags): void {
    this.assumed = guards;
    guards.add(this);
  }

  servedBy(client: unknown): void {
    this.lastClient = client;
    // Only clients an adapter attached check guards (a test client's pinned clients serve for it).
    const guards = guardsByClient.get(client as object);
    if (guards === undefined) return;
    if (this.assumed !== undefined && this.assumed !== guards) this.assumed.remove(this);
    this.assumed = undefined;
    awaitingAnAdapter.delete(this);
    guards.add(this);
  }

  reportOnce(error: Error): void {
    if (this.reported) return;
    this.reported = true;
    const served = guardsByClient.get(this.lastClient as object) ?? this.assumed;
    (served?.logger ?? resolveLogger(undefined)).error({ err: error }, `flagwise: ${error.message}`);
  }
}

/**
 * Declares a guard on flag `name`: its client checks the name (see the top of this file). A guard
 * `claimedAtStartup` is taken by no client until one claims it with `servedBy`.
 * @example const guard = declareGuard('beta', "requireFeature('beta')", false, false);
 */
export function declareGuard(
  name: string,
  where: string,
  needsVariants: boolean,
  claimedAtStartup: boolean,
): GuardDeclaration {
  return new Declaration(name, where, needsVariants, claimedAtStartup);
}

/**
 * Has the client check the flag names of its guards when its flags load and after each change. Adapters call it
 * as they are set up, once per client they attach: guards made from then on (and those made before any adapter
 * was set up) are taken as this client's until a request shows otherwise.
 * @example watchGuardedFlags(client);
 */
export function watchGuardedFlags(client: FlagsClient<any>): void {
  const guards = guardsOf(client);
  beingSetUp = new WeakRef(guards);
  for (const guard of awaitingAnAdapter) (guard as Declaration).assumeServing(guards);
  awaitingAnAdapter.clear();
  guards.scheduleCheck();
}

function suggestion(client: FlagsClient<any>, name: string): string {
  const snapshot = requestPathOf(client)?.snapshot;
  return snapshot === undefined ? '' : flagNameSuggestion(snapshot, name);
}
