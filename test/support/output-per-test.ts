// Setup file of the vitest configs: what a test file's process writes to stdout and stderr (flagwise's default
// logger, a framework's own logger, a CLI command run in process) goes through vitest's console, which records it
// per test. With `silent: 'passed-only'` a passing run prints none of it and a failing test prints what it wrote.
// A test that reads what was written spies on `process.stderr.write` / `process.stdout.write` as before: its spy
// wraps this one. Child processes are not touched: their output reaches the test through the pipes it reads.

// vitest's console is in place when setup files run; kept here so that a test replacing console.log does not
// receive (or loop back into) these writes
const log = console.log.bind(console);
const error = console.error.bind(console);

routeToConsole(process.stdout, log);
routeToConsole(process.stderr, error);

function routeToConsole(stream: NodeJS.WriteStream, print: (text: string) => void): void {
  stream.write = ((chunk: unknown, encoding?: unknown, done?: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
    print(text.endsWith('\n') ? text.slice(0, -1) : text);
    const callback = typeof encoding === 'function' ? encoding : done;
    if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
    return true;
  }) as NodeJS.WriteStream['write'];
}
