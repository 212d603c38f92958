// @flagwise/unleash/admin: a flags file ⇄ Unleash's admin API (pull, diff, push), without the CLI.

export { redactSecret, redactUrls } from '../redact.js';
export {
  type AdminConstraint,
  type AdminFeature,
  type AdminSegment,
  type AdminStrategy,
  type AdminTag,
  type AdminVariant,
  MINIMUM_UNLEASH_VERSION,
  type StrategyBody,
  UnleashAdminClient,
  type UnleashAdminClientOptions,
  UnleashAdminError,
} from './admin-client.js';
export {
  type DiffFormat,
  diffStates,
  type FormatDiffOptions,
  flagChanges,
  formatDiff,
  hasChanges,
  type SyncDiff,
  type SyncFieldChange,
  type SyncFlagChange,
  type SyncSegmentChange,
  unleashProblems,
} from './diff.js';
export {
  definitionsFromState,
  type RemoteFlag,
  type RemoteSegment,
  type RemoteState,
  type SyncConstraint,
  type SyncDependency,
  type SyncFlag,
  type SyncSegment,
  type SyncState,
  type SyncStrategy,
  type SyncVariant,
  stateFromDefinitions,
} from './flag-state.js';
export {
  ConcurrentChangeError,
  formatPushReport,
  type PushOptions,
  type PushReport,
  pushState,
} from './push.js';
export { readRemoteState, type SyncScope } from './read-remote.js';
export {
  adminClientFromEnv,
  desiredState,
  diffFlagsFile,
  type PullOptions,
  pullFlagsFile,
  pushFlagsFile,
} from './sync.js';
export { type PulledFlagsFile, stringifyFlagsFile, toFlagsFile } from './to-flags-file.js';
