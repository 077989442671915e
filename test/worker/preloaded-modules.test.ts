/**
 * The worker evaluates the domain modules once in its shared V8 context (worker/workflow-bundle.ts)
 * instead of once per workflow. That is only safe while those modules — and everything they
 * import — keep no state a workflow could change: state changed by one case would be seen by the
 * next, and a replay would no longer see what the original run saw. This reads their source
 * (TypeScript's parser) and fails when one of them gains module state that its functions write.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { PRELOADED_WORKFLOW_MODULES, workflowBundleSettings } from '../../worker/workflow-bundle';

const ROOT = path.join(__dirname, '..', '..');
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

/**
 * Module state written after load that is reviewed as safe: a memo whose entries are a pure
 * function of their key and frozen, so whichever case fills it, every case reads the same value.
 */
const REVIEWED_MEMOS: Record<string, string[]> = {
  'domain/calendar.ts': ['holidaysByYear'],
  // Paris's UTC offset (a number) during a UTC day / hour, as luxon gives it: a pure function of the key.
  'domain/dates.ts': ['parisOffsetByUtcDay', 'parisOffsetByUtcHour'],
};

/**
 * Packages the preloaded modules import, shared by every workflow. Reviewed: luxon keeps its
 * `Settings` (never written by our code, checked below) and Intl formatter caches keyed by locale
 * and options (same answer for every case); zod keeps a global registry only for `.register()` and
 * `.meta()` and a global config only for `z.config()` (never called from the preloaded code).
 */
const REVIEWED_PACKAGES = ['luxon', 'zod'];

const MUTATING_METHODS = new Set([
  'set',
  'add',
  'delete',
  'clear',
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
]);

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Module specifiers imported for their values (type-only imports are erased by the bundler). */
function runtimeImports(source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        !clause.name &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.every((element) => element.isTypeOnly);
      if (!onlyTypes) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

function resolveLocal(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = specifier.endsWith('.json') ? [base] : [`${base}.ts`, path.join(base, 'index.ts')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`${rel(from)} imports ${specifier}, which is not a TypeScript module`);
  return found;
}

/**
 * Every project module the preloaded ones load, the JSON data they import (one object shared by
 * every case: the importing module must not write it, which the check below covers since an import
 * is a module binding), and the packages they reach.
 */
function preloadedClosure(): { files: string[]; data: string[]; packages: Set<string> } {
  const pending = workflowBundleSettings().preloadModules.slice();
  const files = new Set<string>();
  const data = new Set<string>();
  const packages = new Set<string>();
  while (pending.length) {
    const file = pending.pop()!;
    if (file.endsWith('.json')) {
      data.add(rel(file));
      continue;
    }
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(parse(file))) {
      if (specifier.startsWith('.')) pending.push(resolveLocal(file, specifier));
      else
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  }
  return { files: [...files].sort(), data: [...data].sort(), packages };
}

/** The name a write lands on: `a` for `a`, `a.b[c]`, `a.b.push(…)`. */
function rootName(expression: ts.Expression): string | undefined {
  let current: ts.Expression = expression;
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
    current = current.expression;
  }
  while (ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current) || ts.isAsExpression(current)) {
    current = current.expression;
  }
  return ts.isIdentifier(current) ? current.text : undefined;
}

function addBinding(name: ts.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) into.add(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name, into);
}

function declaredNames(node: ts.Node, into: Set<string>): void {
  const visit = (child: ts.Node) => {
    if (ts.isVariableDeclaration(child) || ts.isParameter(child)) addBinding(child.name, into);
    if ((ts.isFunctionDeclaration(child) || ts.isClassDeclaration(child)) && child.name) into.add(child.name.text);
    ts.forEachChild(child, visit);
  };
  visit(node);
}

const isFunctionLike = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/**
 * Module state: top-level `let`/`var`, and any write, from inside a function (what runs per case),
 * to a top-level binding or what it holds. Top-level statements run once, at preload: they may
 * build a constant.
 */
function moduleStateWrites(file: string): string[] {
  const source = parse(file);
  const found: string[] = [];
  const topLevel = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const flags = statement.declarationList.flags;
      for (const declaration of statement.declarationList.declarations) {
        const names = new Set<string>();
        addBinding(declaration.name, names);
        if (!(flags & ts.NodeFlags.Const)) found.push(`top-level let/var ${[...names].join(', ')}`);
        for (const name of names) topLevel.add(name);
      }
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      topLevel.add(statement.name.text);
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      // Imported objects are other modules' state, shared the same way.
      const { name, namedBindings } = statement.importClause;
      if (name) topLevel.add(name.text);
      if (namedBindings && ts.isNamespaceImport(namedBindings)) topLevel.add(namedBindings.name.text);
      if (namedBindings && ts.isNamedImports(namedBindings)) {
        for (const element of namedBindings.elements) topLevel.add(element.name.text);
      }
    }
  }
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node, locals: ReadonlySet<string> | undefined) => {
    let scope = locals;
    if (isFunctionLike(node)) {
      const names = new Set(locals ?? []);
      declaredNames(node, names);
      scope = names;
    }
    if (scope !== undefined) {
      const written = (target: ts.Expression) => {
        const name = rootName(target);
        if (name !== undefined && topLevel.has(name) && !scope.has(name))
          found.push(`${name} written at line ${line(node)}`);
      };
      if (ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind)) written(node.left);
      if (
        (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
        [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(node.operator)
      ) {
        written(node.operand);
      }
      if (ts.isDeleteExpression(node)) written(node.expression);
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const callee = node.expression;
        if (MUTATING_METHODS.has(callee.name.text)) written(callee.expression);
        const onObject = rootName(callee.expression) === 'Object';
        if (
          onObject &&
          ['assign', 'defineProperty', 'setPrototypeOf'].includes(callee.name.text) &&
          node.arguments[0]
        ) {
          written(node.arguments[0]);
        }
      }
    }
    ts.forEachChild(node, (child) => visit(child, scope));
  };
  visit(source, undefined);
  const reviewed = REVIEWED_MEMOS[rel(file)] ?? [];
  return found.filter((finding) => !reviewed.some((name) => finding.startsWith(`${name} written`)));
}

const closure = preloadedClosure();

test('the preloaded modules are the domain modules the workflows import', () => {
  const workflowFiles = fs
    .readdirSync(path.join(ROOT, 'workflows'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(ROOT, 'workflows', file));
  const importedDomain = new Set(
    workflowFiles.flatMap((file) =>
      runtimeImports(parse(file))
        .filter((specifier) => specifier.startsWith('../domain/'))
        .map((specifier) => rel(resolveLocal(file, specifier))),
    ),
  );
  // A domain module imported by a workflow but not preloaded costs its evaluation in every case.
  expect([...importedDomain].filter((module) => !closure.files.map(rel).includes(module))).toEqual([]);
  // Every listed module exists and is a domain module (pure by the project's rules).
  expect(PRELOADED_WORKFLOW_MODULES.every((module) => module.startsWith('../domain/'))).toBe(true);
});

test('the preloaded modules load no workflow API: their scope runs before any workflow exists', () => {
  expect([...closure.packages].filter((name) => name.startsWith('@temporalio'))).toEqual([]);
  expect(closure.files.map(rel).filter((file) => !file.startsWith('domain/'))).toEqual([]);
  // The shipped rate table: data read by the rules, written by no one (see the state check).
  expect(closure.data).toEqual(['config/rates.json']);
});

test('the packages they share across workflows are the reviewed ones, used without their global settings', () => {
  expect([...closure.packages].sort()).toEqual(REVIEWED_PACKAGES);
  const globalSettings = /\bSettings\.|\bz\.config\(|globalRegistry|\.register\(/;
  const offenders = [
    ...closure.files,
    ...fs.readdirSync(path.join(ROOT, 'workflows')).map((f) => path.join(ROOT, 'workflows', f)),
  ]
    .filter((file) => file.endsWith('.ts') && globalSettings.test(fs.readFileSync(file, 'utf8')))
    .map(rel);
  expect(offenders).toEqual([]);
});

test.each(closure.files.map((file) => [rel(file), file]))('%s keeps no mutable module state', (_, file) => {
  expect(moduleStateWrites(file)).toEqual([]);
});

test('the check finds module state, and a reviewed memo is still there to review', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amiable-preload-probe-'));
  try {
    const probe = path.join(dir, 'probe.ts');
    fs.writeFileSync(
      probe,
      [
        'let counter = 0;',
        'const seen = new Set<string>();',
        'const table: Record<string, number> = {};',
        'import shipped from "./shipped.json";',
        'const RANKS = new Map([["a", 1]]);',
        'RANKS.set("b", 2);',
        'export function next(id: string) {',
        '  counter += 1;',
        '  seen.add(id);',
        '  table[id] = counter;',
        '  const local = new Set<string>(); local.add(id);',
        '  shipped.values.push(1);',
        '  return RANKS.get(id);',
        '}',
        'export const shadow = (seen: string[]) => seen.push("x");',
      ].join('\n'),
    );
    expect(moduleStateWrites(probe)).toEqual([
      'top-level let/var counter',
      'counter written at line 8',
      'seen written at line 9',
      'table written at line 10',
      'shipped written at line 12',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const [file, names] of Object.entries(REVIEWED_MEMOS)) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const name of names) expect(text).toContain(`const ${name} = new Map`);
  }
});
