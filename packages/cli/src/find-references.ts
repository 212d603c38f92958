// Flag references in an app's sources: TypeScript/JavaScript through the TypeScript parser (syntax only, no type
// checking), templates (EJS, Pug, Nunjucks, Handlebars) through their code regions.
import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { UsageError } from './usage-error.js';

/** One place that reads a flag. */
export interface FlagReference {
  /** as written: a flag name (`'new-pricing'`) or a property of the per-request flags (`newPricing`) */
  written: string;
  /** `name` when written as the flag's name, `property` when read as a property of the per-request flags */
  kind: 'name' | 'property';
  /** how it was read, e.g. `requireFeature()`, `req.flags`, `@FeatureRequired()`, `template` */
  via: string;
  file: string;
  line: number;
  column: number;
}

const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const TEMPLATE_EXTENSIONS = new Set(['.ejs', '.pug', '.jade', '.njk', '.nunjucks', '.hbs', '.handlebars']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'build', 'coverage', '.git', '.next', '.turbo']);

/** Calls whose first argument is a flag name: the request flags, the client, guards, Nest decorators, helpers. */
const NAME_CALLS = new Set([
  'isEnabled',
  'variant',
  'getVariant',
  'explain',
  'requireFeature',
  'requireVariant',
  'FeatureRequired',
  'VariantRequired',
]);
/** Handlebars helpers whose second argument is a flag name: `{{flagVariant flags "checkout-copy"}}`. */
const TEMPLATE_HELPERS = /\b(?:flagVariant|flagEnabled)\s+flags\s+(['"])([^'"]+)\1/g;
/** Members of the per-request flags that are not flags. */
const REQUEST_FLAGS_MEMBERS = new Set(['isEnabled', 'variant', 'explain', 'toJSON', 'context']);

/** A file or directory the scan did not read, and why. */
export interface SkippedPath {
  file: string;
  reason: string;
}

/** What a scan found, and what it left out. */
export interface ReferenceScan {
  references: FlagReference[];
  skipped: SkippedPath[];
}

/** Files larger than this are not read unless `maxFileSize` says otherwise: 1 MiB, as Biome's `files.maxSize`. */
export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

/**
 * A file found by the walk is opened without following a link (one swapped in after the listing) and without
 * waiting for a writer (a FIFO); where the platform has no such flag, the fstat check still applies.
 */
const OPEN_FOUND_FILE = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const OPEN_NAMED_FILE = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

const LINK_REASON =
  'a symbolic link: links are not followed, so nothing outside the tree or twice inside it is read';

/**
 * Every flag reference under the given directories (or files), in a stable order. Links inside the tree are not
 * followed (the paths given are); only regular files up to `maxFileSize` bytes are read; what is left out is
 * listed in `skipped`.
 * @example
 * const { references, skipped } = findReferences(['src', 'views'], process.cwd());
 */
export function findReferences(
  paths: readonly string[],
  cwd: string,
  options: { maxFileSize?: number } = {},
): ReferenceScan {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const scan: ReferenceScan = { references: [], skipped: [] };
  for (const { file, named } of listFiles(paths, cwd, scan.skipped)) {
    const read = readSource(resolve(cwd, file), named, maxFileSize);
    if (typeof read !== 'string') {
      scan.skipped.push({ file, reason: read.skipped });
      continue;
    }
    const extension = extname(file).toLowerCase();
    if (SOURCE_EXTENSIONS.has(extension)) {
      if (!sourceReferences(file, read, scan.references))
        scan.skipped.push({ file, reason: 'nested too deeply for the TypeScript parser' });
    } else templateReferences(file, read, extension, scan.references);
  }
  scan.skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return scan;
}

function isScanned(path: string): boolean {
  const extension = extname(path).toLowerCase();
  return (SOURCE_EXTENSIONS.has(extension) || TEMPLATE_EXTENSIONS.has(extension)) && !path.endsWith('.d.ts');
}

/**
 * The files to read, depth first in name order, without following links below the given paths. `named` marks a
 * path given as a file, which is read even through a link.
 */
function listFiles(
  paths: readonly string[],
  cwd: string,
  skipped: SkippedPath[],
): { file: string; named: boolean }[] {
  const files: { file: string; named: boolean }[] = [];
  const seen = new Set<string>();
  const shown = (path: string) => relative(cwd, resolve(cwd, path));
  const add = (path: string, named: boolean) => {
    const file = shown(path);
    if (seen.has(file)) return;
    seen.add(file);
    files.push({ file, named });
  };
  for (const path of paths) {
    let stat: Stats;
    try {
      stat = statSync(resolve(cwd, path));
    } catch (error) {
      throw new UsageError(`cannot read ${path}: no such file or directory; check the path`, {
        cause: error,
      });
    }
    if (!stat.isDirectory()) {
      if (isScanned(path)) add(path, true);
      continue;
    }
    // an explicit stack, depth first in name order: a deep tree costs memory, not call stack
    const stack: { path: string; entry?: Dirent }[] = [{ path }];
    while (stack.length > 0) {
      const { path: entryPath, entry } = stack.pop() as { path: string; entry?: Dirent };
      if (entry === undefined || entry.isDirectory()) {
        let entries: Dirent[];
        try {
          entries = readdirSync(resolve(cwd, entryPath), { withFileTypes: true });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          skipped.push({ file: shown(entryPath), reason: `cannot be read (${code})` });
          continue;
        }
        entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
        for (const child of entries) {
          if (!SKIPPED_DIRECTORIES.has(child.name))
            stack.push({ path: join(entryPath, child.name), entry: child });
        }
      } else if (entry.isSymbolicLink()) {
        if (isScanned(entryPath) || isDirectory(resolve(cwd, entryPath)))
          skipped.push({ file: shown(entryPath), reason: LINK_REASON });
      } else if (isScanned(entryPath)) {
        if (entry.isFile()) add(entryPath, false);
        else skipped.push({ file: shown(entryPath), reason: 'not a regular file' });
      }
    }
  }
  return files;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The text of a regular file of at most `maxFileSize` bytes, or why it was not read. */
function readSource(path: string, named: boolean, maxFileSize: number): string | { skipped: string } {
  let descriptor: number;
  try {
    descriptor = openSync(path, named ? OPEN_NAMED_FILE : OPEN_FOUND_FILE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      skipped: code === 'ELOOP' ? LINK_REASON : `cannot be read (${code ?? (error as Error).message})`,
    };
  }
  try {
    const stat = fstatSync(descriptor);
    if (!stat.isFile()) return { skipped: 'not a regular file' };
    if (stat.size > maxFileSize) {
      return {
        skipped: `${stat.size.toLocaleString('en-US')} bytes, over the limit of ${maxFileSize.toLocaleString('en-US')} (raise it with --max-file-size)`,
      };
    }
    const buffer = Buffer.alloc(stat.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(descriptor, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    return {
      skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  } finally {
    closeSync(descriptor);
  }
}

/** Visits every node depth first, in source order, with its parent and grandparent, without recursion. */
function walk(
  root: ts.Node,
  visit: (node: ts.Node, parent: ts.Node | undefined, grandparent: ts.Node | undefined) => void,
): void {
  interface Entry {
    node: ts.Node;
    parent: Entry | undefined;
  }
  const stack: Entry[] = [{ node: root, parent: undefined }];
  const children: ts.Node[] = [];
  while (stack.length > 0) {
    const entry = stack.pop() as Entry;
    visit(entry.node, entry.parent?.node, entry.parent?.parent?.node);
    children.length = 0;
    ts.forEachChild(entry.node, (child) => {
      children.push(child);
    });
    for (let index = children.length - 1; index >= 0; index--)
      stack.push({ node: children[index], parent: entry });
  }
}

/** Appends the file's references to `references`; false when the parser cannot take the file. */
function sourceReferences(file: string, text: string, references: FlagReference[]): boolean {
  const kind = /\.[cm]?tsx?$/.test(file)
    ? file.endsWith('x')
      ? ts.ScriptKind.TSX
      : ts.ScriptKind.TS
    : file.endsWith('x')
      ? ts.ScriptKind.JSX
      : ts.ScriptKind.JS;
  let source: ts.SourceFile;
  try {
    // without parent pointers: the walk knows each node's parents, and the parser goes deeper without them
    source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  } catch (error) {
    // the parser recurses once per level of nesting: thousands of nested parentheses exhaust the call stack
    if (error instanceof RangeError) return false;
    throw error;
  }
  const bound = flagsBindings(source);
  const add = (node: ts.Node, written: string, referenceKind: FlagReference['kind'], via: string) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    references.push({ written, kind: referenceKind, via, file, line: line + 1, column: character + 1 });
  };

  walk(source, (node, parent, grandparent) => {
    if (ts.isCallExpression(node)) {
      const callee = calleeName(node.expression);
      const first = node.arguments[0];
      if (callee !== undefined && NAME_CALLS.has(callee) && first !== undefined && isStringLiteral(first)) {
        const decorator = parent !== undefined && ts.isDecorator(parent);
        add(first, first.text, 'name', decorator ? `@${callee}()` : `${callee}()`);
      }
    } else if (ts.isPropertyAccessExpression(node)) {
      const member = node.name.text;
      const owner = flagsOwner(node.expression, bound, source);
      if (owner !== undefined && !REQUEST_FLAGS_MEMBERS.has(member))
        add(node.name, member, 'property', owner);
    } else if (ts.isElementAccessExpression(node) && isStringLiteral(node.argumentExpression)) {
      const owner = flagsOwner(node.expression, bound, source);
      if (owner !== undefined) add(node.argumentExpression, node.argumentExpression.text, 'property', owner);
    } else if (
      ts.isPropertyAssignment(node) &&
      propertyName(node.name) === 'feature' &&
      isStringLiteral(node.initializer) &&
      parent !== undefined &&
      ts.isObjectLiteralExpression(parent) &&
      grandparent !== undefined &&
      ts.isPropertyAssignment(grandparent) &&
      propertyName(grandparent.name) === 'config'
    ) {
      add(node.initializer, node.initializer.text, 'name', 'config: { feature }');
    }
  });
  return true;
}

function isStringLiteral(node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

function calleeName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/**
 * Names bound to per-request flags in a file: `const { flags } = req`, `const f = getFlags(req)`,
 * `const flags = ctx.state.flags`, and parameters decorated with `@Flags()`.
 */
function flagsBindings(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  walk(source, (node) => {
    if (ts.isVariableDeclaration(node) && node.initializer !== undefined) {
      if (ts.isObjectBindingPattern(node.name)) {
        for (const element of node.name.elements) {
          const key = element.propertyName ?? element.name;
          if (ts.isIdentifier(key) && key.text === 'flags' && ts.isIdentifier(element.name))
            names.add(element.name.text);
        }
      } else if (ts.isIdentifier(node.name) && readsRequestFlags(node.initializer)) {
        names.add(node.name.text);
      }
    } else if (ts.isParameter(node) && ts.isIdentifier(node.name)) {
      const decorators = ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
      if (
        decorators.some(
          (decorator) =>
            ts.isCallExpression(decorator.expression) &&
            calleeName(decorator.expression.expression) === 'Flags',
        )
      ) {
        names.add(node.name.text);
      }
    }
  });
  return names;
}

/** `getFlags(req)`, or `<anything>.flags` (req.flags, request.flags, ctx.state.flags, res.locals.flags). */
function readsRequestFlags(expression: ts.Expression): boolean {
  if (ts.isCallExpression(expression)) return calleeName(expression.expression) === 'getFlags';
  return ts.isPropertyAccessExpression(expression) && expression.name.text === 'flags';
}

/** How `expression` holds the per-request flags, or undefined when it does not. */
function flagsOwner(
  expression: ts.Expression,
  bound: ReadonlySet<string>,
  source: ts.SourceFile,
): string | undefined {
  if (ts.isIdentifier(expression)) return bound.has(expression.text) ? expression.text : undefined;
  if (ts.isPropertyAccessExpression(expression) && expression.name.text === 'flags')
    return expression.getText(source);
  if (ts.isCallExpression(expression) && calleeName(expression.expression) === 'getFlags')
    return 'getFlags()';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Templates: only the code regions are read, so prose such as "edit flags.yaml" is never taken for a flag.

const CODE_REGIONS: Record<string, RegExp> = {
  ejs: /<%(?!#)[=\-_]?([\s\S]*?)[-_]?%>/g,
  njk: /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g,
  hbs: /\{\{(?!!)([\s\S]*?)\}\}/g,
  pug: /#\{([^}]*)\}|!\{([^}]*)\}|\(([^)]*)\)|^[ \t]*(?:-|=|!=|if |unless |else if |each |while |when |case )(.*)$|^[ \t]*[\w.#:-]+!?=(.*)$/gm,
};

const TEMPLATE_LANGUAGE: Record<string, string> = {
  '.ejs': 'ejs',
  '.njk': 'njk',
  '.nunjucks': 'njk',
  '.hbs': 'hbs',
  '.handlebars': 'hbs',
  '.pug': 'pug',
  '.jade': 'pug',
};

const PROPERTY_READ = /(?<![\w$.])flags\s*\.\s*([A-Za-z_$][\w$]*)(\s*\(\s*(['"])([^'"]+)\3)?/g;
const BRACKET_READ = /(?<![\w$.])flags\s*\[\s*(['"])([^'"]+)\1\s*\]/g;

/** Appends the template's references to `references`. */
function templateReferences(
  file: string,
  text: string,
  extension: string,
  references: FlagReference[],
): void {
  const language = TEMPLATE_LANGUAGE[extension];
  const regions = new RegExp(CODE_REGIONS[language].source, CODE_REGIONS[language].flags);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const add = (offset: number, written: string, kind: FlagReference['kind']) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    references.push({
      written,
      kind,
      via: 'template',
      file,
      line: low + 1,
      column: offset - lineStarts[low] + 1,
    });
  };
  for (const region of text.matchAll(regions)) {
    const groupIndex = region.slice(1).findIndex((group) => group !== undefined) + 1;
    if (groupIndex === 0) continue;
    const code = region[groupIndex];
    const start = (region.index ?? 0) + region[0].indexOf(code);
    for (const read of code.matchAll(PROPERTY_READ)) {
      const [whole, member, call, , name] = read;
      const offset = start + (read.index ?? 0);
      if (call !== undefined && (member === 'isEnabled' || member === 'variant' || member === 'explain')) {
        add(offset + whole.indexOf(name), name, 'name');
      } else if (!REQUEST_FLAGS_MEMBERS.has(member)) {
        add(offset + whole.lastIndexOf(member), member, 'property');
      }
    }
    for (const read of code.matchAll(BRACKET_READ)) {
      add(start + (read.index ?? 0) + read[0].lastIndexOf(read[2]), read[2], 'property');
    }
    for (const read of code.matchAll(TEMPLATE_HELPERS)) {
      add(start + (read.index ?? 0) + read[0].lastIndexOf(read[2]), read[2], 'name');
    }
  }
}
