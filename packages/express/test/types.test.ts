// The opt-in typing: `@flagwise/express/env` types req.flags, and a FlagRegistry narrows flag names. The fixture
// is compiled as its own program; its @ts-expect-error lines fail the compile if they stop being errors.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../type-tests', import.meta.url));

it.each([
  ['app.ts', 'types req.flags through the env opt-in and checks declared flag names'],
  ['readme.ts', 'compiles the README snippets as pasted'],
])(
  '%s %s',
  (file) => {
    const configFile = ts.readConfigFile(path.join(dir, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, dir);
    // Each file is its own program: app.ts declares a FlagRegistry, which would narrow the names in the others.
    const program = ts.createProgram([path.join(dir, file)], parsed.options);
    const expressDir = path.dirname(dir);
    const problems = ts
      .getPreEmitDiagnostics(program)
      // In this repo core is compiled from source too; its own diagnostics under a registry are core's to fix.
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(expressDir))
      .map(
        (d) =>
          `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(parsed.fileNames).toContain(path.join(dir, file));
    expect(problems).toEqual([]);
  },
  60_000,
);
