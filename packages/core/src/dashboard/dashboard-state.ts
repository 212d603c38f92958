// What the dashboard page shows: the state GET /api/state answers and the page renders.
import type { OutcomeSummary } from '../client/outcome-stats.js';
import type { RecentOverrideRefusal } from '../request/overrides.js';
import type { FlagContext, Payload } from '../types.js';
import type { RecentChange, SourceState } from './history.js';

/** One flag as the dashboard shows it for the visitor's own request. */
export interface DashboardFlag {
  name: string;
  description?: string;
  enabled: boolean;
  variant?: string;
  payload?: Payload;
  reason: string;
  detail?: string;
  /**
   * what decided an anonymous request's answer: "random: no user or session id" for a rollout, "by IP …" for a
   * variant split that followed the client IP
   */
  random?: string;
  /** what this browser forces: 'on', 'off' or a variant name */
  override?: string;
  /** the variant names the definition has, for forcing one */
  variants: string[];
}

/** Everything the page shows, as GET /api/state answers it. */
export interface DashboardState {
  title: string;
  source: SourceState;
  version: number;
  context: FlagContext;
  /** false when the client has no `overrides: { secret, allow }` (forcing is then off) */
  overridesEnabled: boolean;
  /** the query that applies the same overrides in another allowed browser, e.g. `flagwise=a:on,b:short` */
  overrideQuery: string;
  /** override query entries refused lately (a flag or variant that does not exist), newest first */
  refusedOverrides: readonly RecentOverrideRefusal[];
  flags: DashboardFlag[];
  changes: RecentChange[];
  /**
   * per flag and variant, the requests that read it since the app started (count, error rate, p50/p95 latency);
   * absent unless the client's telemetry records request outcomes
   */
  outcomes?: OutcomeSummary[];
  csrfToken: string;
}
