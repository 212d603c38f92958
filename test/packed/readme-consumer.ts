// An app made of every README's TypeScript snippets, as pasted. Each snippet is a file of its own under
// src/<readme>/; a snippet that continues an earlier one of its README (it uses `app`, `router` or a handler of
// the app's own without declaring it) gets those names from test/packed/readme-context/<readme>.ts, imported
// on a line appended after the snippet, so its line numbers stay the README's. A snippet that declares flag
// names (merges into FlagRegistry) narrows every flag name of the program it is in, so those compile apart
// from the rest, together where their declarations agree. Under a compiler that leaves out the @types
// packages no file asks for (TypeScript 6 and later), snippets that import one flagwise package and nothing
// else (a worker, a script) compile apart too, one program per package, as such an app does: there nothing but
// that package's own declarations brings in the types they use (Node's). TypeScript 5 puts every installed
// @types package in every program, so there they compile with the rest.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { readmeSnippets } from '../readme-snippets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const contextDir = fileURLToPath(new URL('./readme-context/', import.meta.url));

export interface ConsumerSnippet {
  /** `flagwise` for the repository's README, else the package's folder name */
  readme: string;
  /** 1-based, in README order */
  number: number;
  /** relative to the consumer's folder, e.g. `src/express/snippet-2.ts` */
  file: string;
  /** the snippet as pasted, then the lines that make it a module of the app */
  code: string;
  /** 1-based lines the README marks `// error:` (a flag name the registry rejects) */
  expectedErrorLines: number[];
  /** the packages it imports, its README context's included (`node:` modules too) */
  packages: string[];
  /** the flag names it declares in FlagRegistry, with their types as written; undefined when it declares none */
  flagNames?: Map<string, string>;
}

export interface ConsumerProgram {
  name: string;
  files: string[];
}

/** Every README of the repository, as `{ readme, path }`. */
function readmes(): { readme: string; path: string }[] {
  const packages = readdirSync(path.join(root, 'packages'))
    .filter((dir) => existsSync(path.join(root, 'packages', dir, 'README.md')))
    .map((dir) => ({ readme: dir, path: path.join(root, 'packages', dir, 'README.md') }));
  return [{ readme: 'flagwise', path: path.join(root, 'README.md') }, ...packages];
}

function parse(file: string, code: string): ts.SourceFile {
  return ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** Names a file declares or imports at its top level. */
function topLevelNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause) {
      const { name, namedBindings } = statement.importClause;
      if (name) names.add(name.text);
      if (namedBindings && ts.isNamespaceImport(namedBindings)) names.add(namedBindings.name.text);
      if (namedBindings && ts.isNamedImports(namedBindings)) {
        for (const element of namedBindings.elements) names.add(element.name.text);
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      names.add(statement.name.text);
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) names.add(element.name.text);
    }
  }
  return names;
}

function identifiers(node: ts.Node, into = new Set<string>()): Set<string> {
  if (ts.isIdentifier(node)) into.add(node.text);
  ts.forEachChild(node, (child) => void identifiers(child, into));
  return into;
}

function declaredFlagNames(source: ts.SourceFile): Map<string, string> | undefined {
  let names: Map<string, string> | undefined;
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'FlagRegistry') {
      names ??= new Map();
      for (const member of node.members) {
        if (ts.isPropertySignature(member) && member.type) {
          names.set(member.name.getText(source).replace(/^['"]|['"]$/g, ''), member.type.getText(source));
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

function isModule(source: ts.SourceFile): boolean {
  return source.statements.some(
    (statement) =>
      ts.isImportDeclaration(statement) ||
      ts.isExportDeclaration(statement) ||
      ts.isExportAssignment(statement) ||
      (ts.canHaveModifiers(statement) &&
        ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)),
  );
}

/** Every TypeScript snippet of every README, made a module of the app. */
export function consumerSnippets(): ConsumerSnippet[] {
  return readmes().flatMap(({ readme, path: readmePath }) => {
    const contextFile = path.join(contextDir, `${readme}.ts`);
    const context = existsSync(contextFile)
      ? topLevelNames(parse(contextFile, readFileSync(contextFile, 'utf8')))
      : new Set<string>();
    return readmeSnippets(readmePath).map((pasted, i) => {
      // A block that names an .mts file (`// vitest.config.mts`) is an ES module in a CommonJS app too.
      const extension = /^\/\/ [\w.-]+\.mts\n/.test(pasted) ? 'mts' : 'ts';
      const file = `src/${readme}/snippet-${i + 1}.${extension}`;
      const source = parse(file, pasted);
      const declared = topLevelNames(source);
      const fromContext = [...identifiers(source)].filter((name) => context.has(name) && !declared.has(name));
      let code = pasted;
      if (fromContext.length > 0)
        code += `import { ${fromContext.sort().join(', ')} } from './context.js';\n`;
      // An app's source files are modules, and the package a declaration-only file augments is imported by the
      // app's other files: without that, TypeScript reports the augmented module as not found (TS2664).
      else if (!isModule(source)) {
        const augmented = source.statements.find(ts.isModuleDeclaration)?.name;
        code +=
          augmented && ts.isStringLiteral(augmented)
            ? `import type {} from '${augmented.text}';\n`
            : 'export {};\n';
      }
      return {
        readme,
        number: i + 1,
        file,
        code,
        expectedErrorLines: pasted
          .split('\n')
          .flatMap((line, index) => (/\/\/ error:/.test(line) ? [index + 1] : [])),
        packages: importedPackages(
          fromContext.length > 0 ? [code, readFileSync(contextFile, 'utf8')] : [code],
        ),
        flagNames: declaredFlagNames(source),
      };
    });
  });
}

function importedPackages(sources: string[]): string[] {
  const names = new Set<string>();
  for (const code of sources) {
    for (const [, specifier] of code.matchAll(/\bfrom '([^'.][^']*)'/g)) {
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return [...names].sort();
}

/** The packages an app made of `snippets` installs: what they import, flagwise's own and Node's left out. */
export function thirdPartyImports(snippets: ConsumerSnippet[]): string[] {
  const names = snippets.flatMap((snippet) => snippet.packages);
  return [...new Set(names)]
    .filter((name) => !name.startsWith('node:') && !name.startsWith('@flagwise/'))
    .sort();
}

/**
 * Writes the app into `dir` (emptied first) as an ES module package or a CommonJS one, with the README contexts
 * its snippets import.
 */
export function writeConsumer(dir: string, type: 'module' | 'commonjs', snippets: ConsumerSnippet[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${type}`, private: true, type }),
  );
  for (const snippet of snippets) {
    const folder = path.join(dir, path.dirname(snippet.file));
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(dir, snippet.file), snippet.code);
    const context = path.join(contextDir, `${snippet.readme}.ts`);
    if (existsSync(context)) copyFileSync(context, path.join(folder, 'context.ts'));
  }
}

/**
 * The programs the app compiles as: of the snippets that leave flag names open, those that import a framework
 * or more than one package in one, and those that import a single flagwise package in one per package (with
 * `allTypes`, when the compiler includes every installed @types package anyway, with the others); the
 * snippets that declare flag names in as few more as their declarations allow (a name declared twice must have
 * one type).
 */
export function consumerPrograms(
  snippets: ConsumerSnippet[],
  { allTypes }: { allTypes: boolean },
): ConsumerProgram[] {
  const groups: { names: Map<string, string>; files: string[] }[] = [];
  for (const snippet of snippets.filter((s) => s.flagNames)) {
    const agrees = (names: Map<string, string>) =>
      [...snippet.flagNames!].every(([name, type]) => (names.get(name) ?? type) === type);
    let group = groups.find((g) => agrees(g.names));
    if (!group) groups.push((group = { names: new Map(), files: [] }));
    for (const [name, type] of snippet.flagNames!) group.names.set(name, type);
    group.files.push(snippet.file);
  }
  const open = snippets.filter((s) => !s.flagNames);
  const alone = (s: ConsumerSnippet) =>
    !allTypes && s.packages.length === 1 && s.packages[0].startsWith('@flagwise/');
  const packages = [...new Set(open.filter(alone).map((s) => s.packages[0]))];
  return [
    { name: 'app', files: open.filter((s) => !alone(s)).map((s) => s.file) },
    ...packages.map((name) => ({
      name: `only-${name.replace('@flagwise/', 'flagwise-')}`,
      files: open.filter((s) => alone(s) && s.packages[0] === name).map((s) => s.file),
    })),
    ...groups.map((group, i) => ({ name: `flag-names-${i + 1}`, files: group.files })),
  ];
}
