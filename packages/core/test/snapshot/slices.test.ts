// Steps run in slices across event-loop turns: never inside the call, I/O served between slices, and a cancel
// that leaves nothing scheduled.
import { describe, expect, it } from 'vitest';
import type { Steps } from '../../src/engine/steps.js';
import { runStepsInSlices } from '../../src/snapshot/slices.js';

function* counting(count: number, log: number[]): Steps<number> {
  for (let i = 0; i < count; i++) {
    log.push(i);
    yield;
  }
  return count;
}

describe('runStepsInSlices', () => {
  it('starts on a later turn and gives the result once', async () => {
    const log: number[] = [];
    const done = new Promise<number>((resolve, reject) =>
      runStepsInSlices(counting(1000, log), 5, { done: resolve, failed: reject }),
    );
    expect(log).toEqual([]);
    expect(await done).toBe(1000);
    expect(log).toHaveLength(1000);
  });

  it('lets other work run between slices', async () => {
    const order: string[] = [];
    function* slow(): Steps<void> {
      for (let i = 0; i < 3; i++) {
        const until = performance.now() + 3;
        while (performance.now() < until);
        order.push('step');
        yield;
      }
    }
    const done = new Promise<void>((resolve, reject) =>
      runStepsInSlices(slow(), 1, { done: resolve, failed: reject }),
    );
    setImmediate(() => order.push('other'));
    await done;
    expect(order.indexOf('other')).toBeGreaterThan(0);
    expect(order.indexOf('other')).toBeLessThan(order.length - 1);
  });

  it('reports a step that throws, and runs nothing after it', async () => {
    let after = false;
    function* failing(): Steps<number> {
      yield;
      throw new Error('broken step');
    }
    const error = await new Promise((resolve) =>
      runStepsInSlices(failing(), 5, {
        done: () => {
          after = true;
        },
        failed: resolve,
      }),
    );
    expect((error as Error).message).toBe('broken step');
    expect(after).toBe(false);
  });

  it('stops for good when cancelled: no callback, and the steps are closed', async () => {
    const log: number[] = [];
    let finished = false;
    function* watched(): Steps<number> {
      try {
        return yield* counting(1_000_000, log);
      } finally {
        finished = true;
      }
    }
    let called = false;
    const cancel = runStepsInSlices(watched(), 1, {
      done: () => {
        called = true;
      },
      failed: () => {
        called = true;
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    cancel();
    const seen = log.length;
    // slices run one per turn: had one stayed scheduled, these turns would run it
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(log.length).toBe(seen);
    expect(called).toBe(false);
    expect(finished).toBe(true);
  });
});
