// Steps (engine/steps.ts) run in slices across event-loop turns: a large reload is compiled, indexed and diffed
// between requests instead of blocking them.
import type { Steps } from '../engine/steps.js';

export interface SliceCallbacks<T> {
  /** called once with the result, in the turn the last slice ran */
  done: (value: T) => void;
  /** called once when a step threw; nothing runs after it */
  failed: (error: unknown) => void;
}

/**
 * Runs the steps in slices of about `sliceMs` each, one slice per event-loop turn (`setImmediate`, so I/O waiting
 * to be served runs between slices). The first slice runs on the next turn, never inside this call. Returns a
 * function that stops the run: after it, no callback is called and nothing stays scheduled.
 * @example
 * const cancel = runStepsInSlices(compileFlagsInSteps(payload), 10, { done: swapIn, failed: report });
 */
export function runStepsInSlices<T>(
  steps: Steps<T>,
  sliceMs: number,
  callbacks: SliceCallbacks<T>,
): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const slice = () => {
    immediate = undefined;
    const until = performance.now() + sliceMs;
    let step: IteratorResult<void, T>;
    try {
      do step = steps.next();
      while (!step.done && performance.now() < until);
    } catch (error) {
      callbacks.failed(error);
      return;
    }
    if (step.done) callbacks.done(step.value);
    else immediate = setImmediate(slice);
  };
  immediate = setImmediate(slice);
  return () => {
    if (immediate === undefined) return;
    clearImmediate(immediate);
    immediate = undefined;
    steps.return(undefined as T);
  };
}
