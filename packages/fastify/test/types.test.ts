// The package's typing as users see it: Fastify's types augmented (request.flags, app.featureFlags,
// config.feature), a FlagRegistry narrowing flag names, and the README's snippets. Each fixture is compiled as
// its own program; its @ts-expect-error lines fail the compile if they stop being errors.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../type-tests', import.meta.url));
const packageDir = path.dirname(dir);

it.each([
  ['registry.ts', 'narrows flag names through FlagRegistry in guards, route configs and request.flags'],
  ['readme.ts', 'compiles the README snippets as pasted'],
])(
  '%s %s',
  (file) => {
    const configFile = ts.readConfigFile(path.join(dir, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, dir);
    // One program per file: registry.ts declares a FlagRegistry, which would narrow the names in the other.
    const program = ts.createProgram([path.join(dir, file)], parsed.options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      // Core is compiled from source here too; its own diagnostics under a registry are core's to fix.
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(packageDir))
      .map(
        (d) =>
          `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(parsed.fileNames).toContain(path.join(dir, file));
    expect(problems).toEqual([]);
  },
  60_000,
);
