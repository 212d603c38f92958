// What global-setup.ts (which runs outside the test workers and must not import vitest) and the tests share
// about the servers: which majors exist, their ports, and what a test gets to know about one.

/** The unleash-server majors the harness runs (scripts/unleash/server-<major>/). */
export type UnleashServerMajor = '7' | '8';

/** Each server listens on UNLEASH_HARNESS_PORT (default 44242) plus its offset (scripts/unleash/lib.sh). */
export const SERVER_PORT_OFFSETS: Record<UnleashServerMajor, number> = { '7': 0, '8': 1 };

export interface UnleashHarness {
  major: UnleashServerMajor;
  /** the running server's version, e.g. 8.2.0 */
  version: string;
  /** e.g. http://127.0.0.1:44242 */
  url: string;
  /** the client API base an SDK is given, e.g. http://127.0.0.1:44242/api */
  apiUrl: string;
  adminToken: string;
  /** backend token for project default, environment development */
  clientToken: string;
  startScript: string;
  stopScript: string;
  logFile: string;
}
