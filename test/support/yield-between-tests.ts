// Setup file of the vitest configs: every test starts on a new turn of the event loop. A vitest worker reports
// its progress to the main process over RPC and reads the answers only when its event loop turns; a call not
// answered within vitest's fixed 60 s fails the run (`[vitest-worker]: Timeout calling "onTaskUpdate"`) though
// every test passed. Files whose tests each block for seconds (TypeScript programs, large flag sets) ran back to
// back without a turn and crossed 60 s on a loaded machine.
import { beforeEach } from 'vitest';

// taken before any test can fake the timers
const setImmediateOfNode = globalThis.setImmediate;

beforeEach(() => new Promise<void>((resolve) => setImmediateOfNode(resolve)));
