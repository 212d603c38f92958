// Test helpers for apps that use flagwise: a test client with flags set in code, per-request pins in a header
// only the test client reads, one test per flag state, and a record of the flags each request read.
export {
  type EachFlagState,
  eachFlagStateFor,
  type FlagState,
  type FlagStatesOptions,
  flagStates,
  type TestFunction,
} from './flag-states.js';
export {
  LABEL_HEADER,
  PINS_HEADER,
  type PinnedFlags,
  pinHeaders,
  pinned,
  type SuperagentRequest,
} from './pins.js';
export type { RequestRecord } from './request-record.js';
export { createTestFlags, TestFlags, type TestFlagsOptions, withFlags } from './test-flags.js';
