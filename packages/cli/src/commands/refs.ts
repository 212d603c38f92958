// flagwise refs [dir…]: flags the code reads but nobody defined, flags defined but never read, flags past `expires:`.
import { toPropertyName } from '@flagwise/core';
import { closest } from '@flagwise/core/adapter';
import pc from 'picocolors';
import { parse as parseYaml } from 'yaml';
import type { CliCommand } from '../command.js';
import { counted } from '../counted.js';
import { addFlagsOptions, type DefinitionsOptions, type LoadedFlags, loadFlags } from '../definitions.js';
import type { FlagReference, SkippedPath } from '../find-references.js';
import { FlagsFileLocator } from '../locate.js';
import { print, printJson } from '../output.js';
import {
  countProblems,
  githubAnnotation,
  type Problem,
  problemFormat,
  problemLine,
  summary,
} from '../problems.js';
import { shownText } from '../terminal-text.js';
import { EXIT, wholeNumberOption } from '../usage-error.js';

interface RefsOptions extends DefinitionsOptions {
  format: string;
  strict?: boolean;
  list?: boolean;
  maxFileSize?: string;
}

/** A reference matched to the flag it reads. */
interface ResolvedReference extends FlagReference {
  flag?: string;
}

export const refsCommand: CliCommand = {
  name: 'refs',
  register(program, run) {
    const command = program
      .command('refs')
      .description(
        'find flag references in code and templates: undefined (exit 1), never referenced, expired',
      )
      .argument('[dirs...]', 'directories or files to scan (default: the working directory)')
      .option('--format <format>', 'text, json or github (workflow annotations)', 'text')
      .option('--list', 'print every reference (text format)')
      .option('--strict', 'never-referenced and expired flags fail too')
      .option('--max-file-size <bytes>', 'files larger than this are skipped (default 1048576: 1 MiB)');
    addFlagsOptions(command).action(
      run(async (dirs: string[], options: RefsOptions) => {
        const format = problemFormat(options.format);
        const maxFileSize = wholeNumberOption(options.maxFileSize, '--max-file-size', 'bytes');
        const cwd = process.cwd();
        const loaded = await loadFlags(options, cwd);
        const names = loaded.definitions.features.map((feature) => feature.name);
        const byProperty = new Map<string, string>();
        for (const name of names) byProperty.set(toPropertyName(name), name);
        const defined = new Set(names);

        // the TypeScript parser is large: only this command loads it
        const { findReferences } = await import('../find-references.js');
        const scan = findReferences(dirs.length > 0 ? dirs : ['.'], cwd, { maxFileSize });
        const references: ResolvedReference[] = scan.references;
        for (const reference of references) {
          reference.flag = defined.has(reference.written)
            ? reference.written
            : reference.kind === 'property'
              ? byProperty.get(reference.written)
              : undefined;
        }

        const problems: Problem[] = [];
        const properties = [...byProperty.keys()];
        // one suggestion per misspelling, however often it is written
        const suggestions = new Map<string, string | undefined>();
        for (const reference of references) {
          if (reference.flag !== undefined) continue;
          const key = `${reference.kind}:${reference.written}`;
          if (!suggestions.has(key)) {
            suggestions.set(
              key,
              reference.kind === 'property'
                ? byProperty.get(closest(reference.written, properties) ?? '')
                : closest(reference.written, names),
            );
          }
          const suggestion = suggestions.get(key);
          problems.push({
            severity: 'error',
            file: reference.file,
            line: reference.line,
            column: reference.column,
            message:
              `${reference.via} reads "${reference.written}", which no flag in ${loaded.origin} defines` +
              (suggestion ? `; did you mean "${suggestion}"?` : ''),
          });
        }
        const used = new Set(references.map((reference) => reference.flag));
        const locate = flagLocator(loaded);
        for (const name of names) {
          if (!used.has(name)) {
            problems.push({
              severity: 'warning',
              file: loaded.origin,
              ...locate(name),
              message: `flag "${name}" is defined but never referenced: a candidate for removal`,
            });
          }
        }
        const today = new Date().toISOString().slice(0, 10);
        for (const [name, { expires, owner }] of ownership(loaded)) {
          if (expires === undefined || expires >= today) continue;
          problems.push({
            severity: 'warning',
            file: loaded.origin,
            ...locate(name),
            message: `flag "${name}" expired on ${expires}${owner ? ` (owner: ${owner})` : ''}: remove it from the code and the flags file, or move the date`,
          });
        }

        const { skipped } = scan;
        if (format === 'json') {
          printJson({ flags: names.length, ...countProblems(problems), references, problems, skipped });
        } else if (format === 'github') {
          for (const problem of problems) print(githubAnnotation(problem));
          for (const entry of skipped) print(githubNotice(entry));
        } else {
          if (options.list) {
            for (const reference of references) {
              const target = reference.flag === undefined ? pc.red('undefined') : shownText(reference.flag);
              print(
                `${shownText(reference.file)}:${reference.line}:${reference.column}: ${target} (${shownText(reference.via)}: ${shownText(reference.written)})`,
              );
            }
          }
          for (const problem of problems) print(problemLine(problem));
          for (const entry of skipped)
            print(`${pc.bold(shownText(entry.file))}: ${pc.dim('skipped')}: ${entry.reason}`);
          const files = new Set(references.map((reference) => reference.file)).size;
          const left = skipped.length > 0 ? ` (${counted(skipped.length, 'path')} skipped)` : '';
          print(
            `${counted(names.length, 'flag')}, ${counted(references.length, 'reference')} in ${counted(files, 'file')}${left}: ${summary(problems)}`,
          );
        }
        const { errors, warnings } = countProblems(problems);
        return errors > 0 || (options.strict && warnings > 0) ? EXIT.problems : EXIT.ok;
      }),
    );
  },
};

/** A notice on the pull request for a path the scan left out. */
function githubNotice(entry: SkippedPath): string {
  return githubAnnotation({ severity: 'notice', file: entry.file, message: `skipped: ${entry.reason}` });
}

function flagLocator(loaded: LoadedFlags): (name: string) => { line?: number; column?: number } {
  if (loaded.file === undefined) return () => ({});
  const locator = new FlagsFileLocator(loaded.file.text);
  return (name) => locator.flag(name) ?? {};
}

/** `expires:` and `owner:` of each flag, from a flags file in the short format. */
function ownership(loaded: LoadedFlags): Map<string, { expires?: string; owner?: string }> {
  const result = new Map<string, { expires?: string; owner?: string }>();
  if (loaded.file?.format !== 'short') return result;
  const document = parseYaml(loaded.file.text, { merge: true }) as { flags?: Record<string, unknown> };
  for (const [name, spec] of Object.entries(document?.flags ?? {})) {
    if (typeof spec !== 'object' || spec === null) continue;
    const { expires, owner } = spec as { expires?: unknown; owner?: unknown };
    result.set(name, {
      expires: typeof expires === 'string' ? expires : undefined,
      owner: typeof owner === 'string' ? owner : undefined,
    });
  }
  return result;
}
