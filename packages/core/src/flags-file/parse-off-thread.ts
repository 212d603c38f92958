// Large flags files are parsed and checked in a child process of low priority. Parsing 10,000 flags takes seconds
// of CPU and hundreds of megabytes: on the app's thread every request would wait for it, and on a worker thread it
// would still compete with the app's thread for the cores at the same priority, and its garbage collection would
// run on the helper threads the app's own collections wait for. A child process below the app's priority takes
// only the CPU the app leaves, and its memory goes back to the system when it exits.
// The child hands the definitions back as JSON text, in pieces of about 256 KB that the main thread asks for one at
// a time when it is free: JSON.parse reads a piece in a couple of milliseconds, quicker than a structured clone
// is copied, and what it makes takes less memory (less for the collector to go through while requests wait).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FlagsFileError, type FlagsFileProblem, FlagwiseError } from '../errors.js';
import type { ClientFeaturesPayload, FeatureDefinition } from '../types.js';
import { type ParsedFlagsFile, type ParseFlagsFileOptions, parseFlagsFile } from './parse-flags-file.js';

// The child imports this module (or the bundle it is part of) for parseFlagsFile.
export { parseFlagsFile };

/** Characters of JSON per piece handed over: about 2 ms of JSON.parse on the main thread. */
const PIECE_CHARS = 256 * 1024;

/** Files at least this large are parsed in a child process; smaller ones parse in well under a millisecond per KB. */
export const OFF_THREAD_MIN_LENGTH = 16 * 1024;

/** How much of the child's stderr is kept, to say why it ended. */
const STDERR_TAIL_CHARS = 2000;

interface ChildFailure {
  name?: string;
  code?: string;
  message: string;
  path?: string;
  line?: number;
  column?: number;
  problems?: FlagsFileProblem[];
}

/** A value as JSON text, or as itself (a structured clone) when JSON would not carry it unchanged. */
type Encoded = { json: string } | { value: unknown };

type ChildMessage =
  | { type: 'parsing' }
  | ({ type: 'features' } & ({ json: string } | { features: FeatureDefinition[] }))
  | {
      type: 'done';
      definitions: Encoded;
      format: ParsedFlagsFile['format'];
      warnings: string[];
    }
  | { type: 'failed'; error: ChildFailure }
  | { type: 'unavailable'; reason: string };

type ParseOutcome =
  | { type: 'parsed'; result: ParsedFlagsFile }
  | { type: 'failed'; error: ChildFailure }
  /** no child can parse here (it cannot start, or cannot load this module): parse in place */
  | { type: 'unavailable'; reason: string }
  /** the child ended while it parsed: killed, or out of memory */
  | { type: 'ended'; reason: string }
  | { type: 'aborted' };

// A script, not a file next to this one: the same code runs from src (through tsx) and from either bundle.
// Everything it needs comes in the first message: the module to import, the text, the path and the options.
const CHILD_SCRIPT = `
'use strict';
const os = require('node:os');
const fs = require('node:fs');
// Ten steps below the app (which it inherits its priority from); on Linux each thread has its own, so every
// thread of this process is lowered.
const low = Math.min(os.getPriority() + 10, os.constants.priority.PRIORITY_LOW);
try { os.setPriority(low); } catch {}
if (process.platform === 'linux') {
  try { for (const task of fs.readdirSync('/proc/self/task')) os.setPriority(Number(task), low); } catch {}
}
const send = (message) => process.send(message);

/** True when JSON.stringify and JSON.parse give back an equal value: plain objects, arrays, strings, finite numbers. */
function isPlainJson(root) {
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) continue;
    if (typeof value === 'number') {
      if (Number.isFinite(value) && !Object.is(value, -0)) continue;
      return false;
    }
    if (typeof value !== 'object') return false;
    const proto = Object.getPrototypeOf(value);
    if (Array.isArray(value)) {
      if (proto !== Array.prototype) return false;
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) return false;
        stack.push(value[i]);
      }
      continue;
    }
    if (proto !== Object.prototype && proto !== null) return false;
    for (const key of Object.keys(value)) stack.push(value[key]);
  }
  return true;
}

function asJson(value) {
  let json;
  try {
    json = JSON.stringify(value);
  } catch {
    return undefined;
  }
  return isPlainJson(value) ? json : undefined;
}

/** The features in pieces of about pieceChars characters of JSON; one that JSON would change goes as it is. */
function piecesOf(features, pieceChars) {
  const pieces = [];
  let parts = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    pieces.push({ type: 'features', json: '[' + parts.join(',') + ']' });
    parts = [];
    size = 0;
  };
  for (const feature of features) {
    const json = asJson(feature);
    if (json === undefined) {
      flush();
      pieces.push({ type: 'features', features: [feature] });
      continue;
    }
    parts.push(json);
    size += json.length;
    if (size >= pieceChars) flush();
  }
  flush();
  return pieces;
}

process.once('message', (job) => {
  const loader = job.typescript
    ? import('tsx/esm/api').then((api) => api.register(), () => undefined)
    : Promise.resolve();
  loader.then(() => import(job.module)).then(
    (module) => {
      const parseFlagsFile = module.parseFlagsFile ?? (module.default && module.default.parseFlagsFile);
      if (typeof parseFlagsFile !== 'function') {
        send({ type: 'unavailable', reason: 'parseFlagsFile is not exported by ' + job.module });
        return;
      }
      send({ type: 'parsing' });
      let result;
      try {
        result = parseFlagsFile(job.text, job.path, job.options);
      } catch (error) {
        const { name, code, message, path, line, column, problems } = error ?? {};
        send({ type: 'failed', error: { name, code, message: String(message ?? error), path, line, column, problems } });
        return;
      }
      const pieces = piecesOf(result.definitions.features, job.pieceChars);
      // features: null keeps the key where it was; the main thread puts the features there
      const rest = { ...result.definitions, features: null };
      const restJson = asJson(rest);
      const last = {
        type: 'done',
        definitions: restJson === undefined ? { value: rest } : { json: restJson },
        format: result.format,
        warnings: result.warnings,
      };
      let next = 0;
      // Each piece is sent when the main thread asks for it: sent all at once, they would arrive together and be
      // read in one long turn of its event loop.
      process.on('message', () => send(next < pieces.length ? pieces[next++] : last));
      send(next < pieces.length ? pieces[next++] : last);
    },
    (error) => send({ type: 'unavailable', reason: String(error) }),
  );
});
`;

/**
 * This module's file: the ESM bundle's (or the source's, through tsx or vitest) from import.meta.url, the CommonJS
 * bundle's from __filename.
 */
const MODULE_URL: string | undefined =
  typeof __filename === 'string' && __filename !== '' ? pathToFileURL(__filename).href : import.meta.url;

/**
 * The module a child imports parseFlagsFile from, once known; null where no child can parse (then parse in place).
 */
let childModule: string | null | undefined;

/**
 * parseFlagsFile(), in a child process of low priority when the text is large, so the event loop stays free while
 * it runs. Resolves or rejects as parseFlagsFile does; where no child can run, it parses on the calling thread.
 * When the child ends before it is done (killed, out of memory), rejects with a FlagwiseError `SOURCE_FAILED` that
 * names the file; when `signal` aborts, the child is stopped and the promise rejects with the signal's reason.
 * @example
 * const { definitions } = await parseFlagsFileOffThread(await readFile('flags.yaml', 'utf8'), 'flags.yaml');
 */
export async function parseFlagsFileOffThread(
  text: string,
  path: string,
  options: ParseFlagsFileOptions = {},
  signal?: AbortSignal,
): Promise<ParsedFlagsFile> {
  signal?.throwIfAborted();
  if (text.length < OFF_THREAD_MIN_LENGTH) return parseFlagsFile(text, path, options);
  childModule ??= await findChildModule();
  if (childModule === null) return parseFlagsFile(text, path, options);
  const outcome = await parseInChild(childModule, text, path, options, signal);
  switch (outcome.type) {
    case 'parsed':
      return outcome.result;
    case 'failed':
      throw revive(outcome.error, path);
    case 'unavailable':
      childModule = null;
      return parseFlagsFile(text, path, options);
    case 'ended':
      throw new FlagwiseError(
        'SOURCE_FAILED',
        `${path}: could not be parsed: the process parsing it ${outcome.reason} before it was done`,
      );
    case 'aborted':
      throw signal?.reason ?? new FlagwiseError('CLOSED', `${path}: parsing was stopped`);
  }
}

/**
 * What a child imports for parseFlagsFile: this source file, or the entry of the @flagwise/core package this
 * bundle is part of (a CommonJS bundle other than the main entry does not export parseFlagsFile). null when this
 * code was bundled into an app (importing the app's bundle would start the app again), and in a single executable
 * application (whose binary starts the app whatever it is given).
 */
async function findChildModule(): Promise<string | null> {
  if (MODULE_URL === undefined || !MODULE_URL.startsWith('file:')) return null;
  const sea = await import('node:sea').then(
    (module) => module.isSea(),
    () => false,
  );
  if (sea) return null;
  const file = fileURLToPath(MODULE_URL);
  if (/[\\/]flags-file[\\/]parse-off-thread\.[cm]?[jt]s$/.test(file)) return MODULE_URL;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name !== '@flagwise/core')
          return null;
        return pathToFileURL(createRequire(file).resolve('@flagwise/core')).href;
      } catch {
        return null;
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

function parseInChild(
  module: string,
  text: string,
  path: string,
  options: ParseFlagsFileOptions,
  signal: AbortSignal | undefined,
): Promise<ParseOutcome> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', CHILD_SCRIPT], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
        // Electron's binary runs as plain Node with this set; everywhere else it changes nothing.
        env: process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env,
        windowsHide: true,
      });
    } catch (error) {
      resolve({ type: 'unavailable', reason: String(error) });
      return;
    }
    let settled = false;
    let parsing = false;
    let stderr = '';
    const features: FeatureDefinition[] = [];
    const onAbort = () => settle({ type: 'aborted' });
    const settle = (outcome: ParseOutcome) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      child.kill('SIGKILL');
      resolve(outcome);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('message', (message: ChildMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'parsing':
          parsing = true;
          return;
        case 'features': {
          const list: FeatureDefinition[] = 'json' in message ? JSON.parse(message.json) : message.features;
          for (const feature of list) features.push(feature);
          // asked for on the next turn, so the requests waiting now are served before the next piece is read
          setImmediate(() => {
            if (!settled) child.send('next');
          });
          return;
        }
        case 'done': {
          const definitions = (
            'json' in message.definitions ? JSON.parse(message.definitions.json) : message.definitions.value
          ) as ClientFeaturesPayload;
          definitions.features = features;
          settle({
            type: 'parsed',
            result: { definitions, format: message.format, warnings: message.warnings },
          });
          return;
        }
        case 'failed':
          settle({ type: 'failed', error: message.error });
          return;
        case 'unavailable':
          settle({ type: 'unavailable', reason: message.reason });
          return;
      }
    });
    // `on`, not `once`: an error after the outcome (a send to a child that just ended) is of no consequence
    child.on('error', (error) => settle({ type: 'unavailable', reason: String(error) }));
    child.once('exit', (code, signalName) => {
      const how = signalName ? `was killed (${signalName})` : `exited with code ${code}`;
      const said = lastLine(stderr);
      const reason = `${how}${said ? `: ${said}` : ''}`;
      // Ending by itself before parsing began means children cannot run here (a bad NODE_OPTIONS, say).
      settle(parsing || signalName ? { type: 'ended', reason } : { type: 'unavailable', reason });
    });
    child.send({
      module,
      text,
      path,
      options,
      pieceChars: PIECE_CHARS,
      typescript: /\.[cm]?tsx?$/.test(new URL(module).pathname),
    });
  });
}

/** The line of the child's stderr that says why it ended (V8's out-of-memory message, an error), else its last. */
function lastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => /FATAL ERROR|^\w*Error\b/.test(line)) ?? lines.at(-1) ?? '';
}

/** The child's error as the FlagsFileError (or FlagwiseError) the main thread would have thrown. */
function revive(error: ChildFailure, path: string): FlagwiseError {
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
      problems: error.problems,
    });
  }
  return new FlagwiseError('INVALID_FLAGS_FILE', `${path}: ${error.message}`);
}
