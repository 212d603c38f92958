// The `flagwise` executable.
import { main } from './main.js';
import { MAX_MESSAGE_LENGTH, shownText } from './terminal-text.js';

/** Exits once stdout and stderr are flushed: a source's retry timers must not keep a finished command alive. */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv).then(exit, (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`flagwise: ${shownText(message, MAX_MESSAGE_LENGTH)}\n`);
  exit(2);
});
