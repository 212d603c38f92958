// The `flagwise` executable.
import { main } from './main.js';

/** Exits once stdout and stderr are flushed: a source's retry timers must not keep a finished command alive. */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv).then(exit, (error: unknown) => {
  process.stderr.write(`flagwise: ${error instanceof Error ? error.message : String(error)}\n`);
  exit(2);
});
