// The TSDoc rule of issue 17 item 7, read with the TypeScript compiler API (typescript 5.9): used by
// test/tsdoc.test.ts on app/src and on an in-memory sample, so that the rule itself is tested.
import ts from 'typescript';

/**
 * The TSDoc problems of one function-like declaration.
 * @param node - the function.
 * @param docNode - where its TSDoc sits (the variable statement of `export const f = () => …`).
 * @param checker - resolves the return type.
 * @returns the problems, empty when none.
 */
export function tsdocProblems(node: ts.SignatureDeclaration, docNode: ts.Node, checker: ts.TypeChecker): string[] {
  const docs = ts.getJSDocCommentsAndTags(docNode).filter(ts.isJSDoc);
  if (docs.length === 0) return ['no TSDoc block'];
  const tags = docs.flatMap((doc) => doc.tags ?? []);
  const problems: string[] = [];
  const documented = new Set(tags.filter(ts.isJSDocParameterTag).map((tag) => tag.name.getText()));
  for (const parameter of node.parameters) {
    const name = parameter.name.getText();
    if (!ts.isIdentifier(parameter.name)) continue; // a destructured parameter is documented by its type
    if (!documented.has(name)) problems.push(`no @param ${name}`);
  }
  const signature = checker.getSignatureFromDeclaration(node);
  const returned = signature ? checker.getReturnTypeOfSignature(signature) : undefined;
  const awaited = returned ? (checker.getAwaitedType(returned) ?? returned) : undefined;
  const returnsNothing = awaited !== undefined && (awaited.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Never)) !== 0;
  if (!returnsNothing && !tags.some((tag) => tag.tagName.text === 'returns' || tag.tagName.text === 'return')) problems.push('no @returns');
  return problems;
}

/**
 * Every exported function below `root` (declarations and `export const f = (…) =>`), with its problems.
 * @param program - the program to read.
 * @param root - the folder, with a trailing slash.
 * @returns one line per problem: `file:line name: problem`.
 */
export function exportedFunctionProblems(program: ts.Program, root: string): string[] {
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(root) || file.isDeclarationFile) continue;
    const where = (node: ts.Node) => `${file.fileName.slice(root.length)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    for (const statement of file.statements) {
      if (ts.isFunctionDeclaration(statement) && exported(statement) && statement.body) {
        for (const problem of tsdocProblems(statement, statement, checker)) found.push(`${where(statement)} ${statement.name?.text}: ${problem}`);
      } else if (ts.isVariableStatement(statement) && exported(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const init = declaration.initializer;
          if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
            for (const problem of tsdocProblems(init, statement, checker)) found.push(`${where(statement)} ${declaration.name.getText()}: ${problem}`);
          }
        }
      }
    }
  }
  return found;
}

