// Flag references in an app's sources: TypeScript/JavaScript through the TypeScript parser (syntax only, no type
// checking), templates (EJS, Pug, Nunjucks, Handlebars) through their code regions.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
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

/**
 * Every flag reference under the given directories (or files), in a stable order.
 * @example
 * findReferences(['src', 'views'], process.cwd());
 */
export function findReferences(paths: readonly string[], cwd: string): FlagReference[] {
  const references: FlagReference[] = [];
  for (const file of listFiles(paths, cwd)) {
    const text = readFileSync(join(cwd, file), 'utf8');
    const extension = extname(file).toLowerCase();
    if (SOURCE_EXTENSIONS.has(extension)) references.push(...sourceReferences(file, text));
    else references.push(...templateReferences(file, text, extension));
  }
  return references;
}

function listFiles(paths: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  const visit = (path: string) => {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(join(cwd, path));
    } catch (error) {
      throw new UsageError(`cannot read ${path}: no such file or directory; check the path`, {
        cause: error,
      });
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(join(cwd, path)).sort()) {
        if (!SKIPPED_DIRECTORIES.has(entry)) visit(join(path, entry));
      }
      return;
    }
    const extension = extname(path).toLowerCase();
    if (path.endsWith('.d.ts')) return;
    if (SOURCE_EXTENSIONS.has(extension) || TEMPLATE_EXTENSIONS.has(extension))
      files.push(relative(cwd, join(cwd, path)));
  };
  for (const path of paths) visit(path);
  return files;
}

function sourceReferences(file: string, text: string): FlagReference[] {
  const kind = /\.[cm]?tsx?$/.test(file)
    ? file.endsWith('x')
      ? ts.ScriptKind.TSX
      : ts.ScriptKind.TS
    : file.endsWith('x')
      ? ts.ScriptKind.JSX
      : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const references: FlagReference[] = [];
  const bound = flagsBindings(source);
  const add = (node: ts.Node, written: string, referenceKind: FlagReference['kind'], via: string) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    references.push({ written, kind: referenceKind, via, file, line: line + 1, column: character + 1 });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = calleeName(node.expression);
      const first = node.arguments[0];
      if (callee !== undefined && NAME_CALLS.has(callee) && first !== undefined && isStringLiteral(first)) {
        const decorator = ts.isDecorator(node.parent);
        add(first, first.text, 'name', decorator ? `@${callee}()` : `${callee}()`);
      }
    } else if (ts.isPropertyAccessExpression(node)) {
      const member = node.name.text;
      const owner = flagsOwner(node.expression, bound);
      if (owner !== undefined && !REQUEST_FLAGS_MEMBERS.has(member))
        add(node.name, member, 'property', owner);
    } else if (ts.isElementAccessExpression(node) && isStringLiteral(node.argumentExpression)) {
      const owner = flagsOwner(node.expression, bound);
      if (owner !== undefined) add(node.argumentExpression, node.argumentExpression.text, 'property', owner);
    } else if (
      ts.isPropertyAssignment(node) &&
      propertyName(node.name) === 'feature' &&
      isStringLiteral(node.initializer) &&
      ts.isObjectLiteralExpression(node.parent) &&
      ts.isPropertyAssignment(node.parent.parent) &&
      propertyName(node.parent.parent.name) === 'config'
    ) {
      add(node.initializer, node.initializer.text, 'name', 'config: { feature }');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return references;
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
  const visit = (node: ts.Node): void => {
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
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** `getFlags(req)`, or `<anything>.flags` (req.flags, request.flags, ctx.state.flags, res.locals.flags). */
function readsRequestFlags(expression: ts.Expression): boolean {
  if (ts.isCallExpression(expression)) return calleeName(expression.expression) === 'getFlags';
  return ts.isPropertyAccessExpression(expression) && expression.name.text === 'flags';
}

/** How `expression` holds the per-request flags, or undefined when it does not. */
function flagsOwner(expression: ts.Expression, bound: ReadonlySet<string>): string | undefined {
  if (ts.isIdentifier(expression)) return bound.has(expression.text) ? expression.text : undefined;
  if (ts.isPropertyAccessExpression(expression) && expression.name.text === 'flags')
    return expression.getText();
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

function templateReferences(file: string, text: string, extension: string): FlagReference[] {
  const language = TEMPLATE_LANGUAGE[extension];
  const regions = new RegExp(CODE_REGIONS[language].source, CODE_REGIONS[language].flags);
  const references: FlagReference[] = [];
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
  return references;
}
