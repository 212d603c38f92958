// Waiting for what happens, with a deadline: tests never wait for a fixed time.

/**
 * Polls `read` (which may ask a server) until it gives a truthy value, and returns that value; fails after
 * `deadlineMs`.
 */
export async function waitFor<T>(
  read: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  deadlineMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
