// Work written once as a generator that yields between small units (one flag compiled, indexed or diffed), so
// it can run two ways: at once, as an ordinary synchronous call (runSteps, here), or in slices across event-loop
// turns (snapshot/slices.ts), which keeps requests flowing while 10,000 flags are compiled.

/** Work that yields between units and returns its result at the end. */
export type Steps<T> = Generator<void, T, void>;

/**
 * Runs the steps to the end now, as a plain function call.
 * @example
 * const compiled = runSteps(compileFlagsInSteps(payload, options));
 */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
