// Large flags files are parsed and checked on a worker thread: YAML for 10,000 flags takes seconds of CPU, and
// on the main thread every request would wait for it. The worker hands back plain definitions; the source swaps
// them in at once, as after a main-thread parse.
import { Worker } from 'node:worker_threads';
import { FlagsFileError, FlagwiseError } from '../errors.js';
import type { FeatureDefinition } from '../types.js';
import { type ParsedFlagsFile, type ParseFlagsFileOptions, parseFlagsFile } from './parse-flags-file.js';

// The worker imports this module (or the bundle it is part of) for parseFlagsFile.
export { parseFlagsFile };

/** Flags per message from the worker: small enough that copying one into the main thread takes about a millisecond. */
const FLAGS_PER_MESSAGE = 200;

/** Files at least this large are parsed on a worker thread; smaller ones parse in well under a millisecond per KB. */
export const OFF_THREAD_MIN_LENGTH = 16 * 1024;

interface WorkerFailure {
  name?: string;
  code?: string;
  message: string;
  path?: string;
  line?: number;
  column?: number;
}

type WorkerAnswer =
  | { ok: true; result: ParsedFlagsFile }
  | { ok: false; error: WorkerFailure }
  | { ok: false; unavailable: string };

// A script, not a file next to this one: the same code runs from src (through tsx) and from the bundle.
const WORKER_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
// From TypeScript sources (tests, tsx) the worker needs tsx's loader, unless it inherited it.
const loader = workerData.typescript
  ? import('tsx/esm/api').then((api) => api.register(), () => undefined)
  : Promise.resolve();
loader.then(() => import(workerData.module)).then(
  (module) => {
    if (typeof module.parseFlagsFile !== 'function') {
      parentPort.postMessage({ ok: false, unavailable: 'parseFlagsFile is not exported by ' + workerData.module });
      return;
    }
    let result;
    try {
      result = module.parseFlagsFile(workerData.text, workerData.path, workerData.options);
    } catch (error) {
      const { name, code, message, path, line, column } = error ?? {};
      parentPort.postMessage({ ok: false, error: { name, code, message: String(message ?? error), path, line, column } });
      return;
    }
    // In slices, each sent when the main thread asks for it: the main thread copies every message waiting for
    // it in one go, so slices sent all at once would be one long copy; asked for one by one, each copy is a task
    // of its own and requests are served between them.
    const { features, ...rest } = result.definitions;
    let next = 0;
    const send = () => {
      if (next >= features.length) {
        parentPort.postMessage({ ok: true, result: { ...result, definitions: rest } });
        return;
      }
      parentPort.postMessage({ features: features.slice(next, (next += workerData.slice)) });
    };
    parentPort.on('message', send);
    send();
  },
  (error) => parentPort.postMessage({ ok: false, unavailable: String(error) }),
);
`;

/** This module's file (the ESM bundle's, from dist); empty in the CommonJS bundle, which parses in place. */
const MODULE_URL: string | undefined = import.meta.url;

/** false once a worker could not be started here (no module URL, no TypeScript loader): then parse in place. */
let workersWork = typeof MODULE_URL === 'string' && MODULE_URL.startsWith('file:');

/**
 * parseFlagsFile(), on a worker thread when the text is large, so the event loop stays free while it runs.
 * Resolves or rejects exactly as parseFlagsFile does; where no worker can run, it parses on the calling thread.
 * @example
 * const { definitions } = await parseFlagsFileOffThread(await readFile('flags.yaml', 'utf8'), 'flags.yaml');
 */
export async function parseFlagsFileOffThread(
  text: string,
  path: string,
  options: ParseFlagsFileOptions = {},
): Promise<ParsedFlagsFile> {
  if (text.length < OFF_THREAD_MIN_LENGTH || !workersWork) return parseFlagsFile(text, path, options);
  const answer = await runWorker(text, path, options);
  if (answer.ok) return answer.result;
  if ('unavailable' in answer) {
    workersWork = false;
    return parseFlagsFile(text, path, options);
  }
  throw revive(answer.error, path);
}

function runWorker(text: string, path: string, options: ParseFlagsFileOptions): Promise<WorkerAnswer> {
  return new Promise((resolve) => {
    const module = MODULE_URL as string;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SCRIPT, {
        eval: true,
        workerData: {
          module,
          text,
          path,
          options,
          slice: FLAGS_PER_MESSAGE,
          typescript: /\.[cm]?tsx?$/.test(new URL(module).pathname),
        },
        stdout: true,
        stderr: true,
      });
    } catch (error) {
      resolve({ ok: false, unavailable: String(error) });
      return;
    }
    let settled = false;
    const settle = (answer: WorkerAnswer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
      void worker.terminate();
    };
    const features: FeatureDefinition[] = [];
    worker.on('message', (message: WorkerAnswer | { features: FeatureDefinition[] }) => {
      if ('features' in message) {
        for (const feature of message.features) features.push(feature);
        // asked for on the next turn, so the I/O waiting now is served before the next copy
        setImmediate(() => {
          if (!settled) worker.postMessage('next');
        });
        return;
      }
      if (message.ok) message.result.definitions.features = features;
      settle(message);
    });
    worker.once('error', (error) => settle({ ok: false, unavailable: String(error) }));
    worker.once('exit', (code) =>
      settle({ ok: false, unavailable: `the parse worker exited with code ${code}` }),
    );
  });
}

/** The worker's error as the FlagsFileError (or FlagwiseError) the main thread would have thrown. */
function revive(error: WorkerFailure, path: string): FlagwiseError {
  if (
    error.name === 'FlagsFileError' &&
    (error.code === 'INVALID_FLAGS_FILE' || error.code === 'FLAGS_FILE_NOT_FOUND')
  ) {
    const at = error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : '';
    const prefix = `${error.path ?? path}${at}: `;
    const problem = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return new FlagsFileError(error.code, error.path ?? path, problem, {
      line: error.line,
      column: error.column,
    });
  }
  return new FlagwiseError('INVALID_FLAGS_FILE', `${path}: ${error.message}`);
}
