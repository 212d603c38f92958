// Waiting for a condition, with a deadline: tests wait for what happens, never for a fixed time.

/** Polls `read` until it gives a truthy value, failing after `deadlineMs`. */
export async function waitFor<T>(
  read: () => T | undefined | null | false,
  what: string,
  deadlineMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
