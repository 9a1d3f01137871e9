// Issue 17 item 7: every exported function of app/src carries TSDoc: a block with @param for each parameter
// and @returns unless it returns nothing (void, Promise<void>, never). Read with the TypeScript compiler API
// (typescript 5.9: ts.getJSDocTags, and the type checker for the return type), not with regexes.
import { fileURLToPath } from 'node:url';
import test from 'ava';
import ts from 'typescript';
import { exportedFunctionProblems } from './lib/tsdoc.ts';

const APP = fileURLToPath(new URL('../app/', import.meta.url));

function appProgram(): ts.Program {
  const configPath = `${APP}tsconfig.json`;
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, APP);
  return ts.createProgram({ rootNames: parsed.fileNames.filter((name) => name.startsWith(`${APP}src/`)), options: parsed.options });
}

test('every exported function of app/src has TSDoc with @param for each parameter and @returns unless void', (t) => {
  const problems = exportedFunctionProblems(appProgram(), `${APP}src/`);
  t.deepEqual(problems, [], `${problems.length} exported functions lack TSDoc:\n${problems.join('\n')}`);
});

test('the check can fail: an undocumented export, a missing @param and a missing @returns are reported', (t) => {
  const source = [
    'export function bare(a: number): number { return a; }',
    '/** Doubles.\n * @returns twice a. */\nexport function noParam(a: number): number { return 2 * a; }',
    '/** Halves.\n * @param a - a number. */\nexport const noReturns = (a: number): number => a / 2;',
    '/** Logs.\n * @param a - a number. */\nexport async function nothing(a: number): Promise<void> { void a; }',
    '/** Fine.\n * @param a - a number.\n * @returns a. */\nexport function fine(a: number): number { return a; }',
  ].join('\n');
  const fileName = '/virtual/src/sample.ts';
  const host = ts.createCompilerHost({});
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) => (name === fileName ? ts.createSourceFile(name, source, version, true) : original(name, version, ...rest));
  host.fileExists = ((exists) => (name: string) => name === fileName || exists(name))(host.fileExists.bind(host));
  const program = ts.createProgram({ rootNames: [fileName], options: { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'] }, host });
  t.deepEqual(exportedFunctionProblems(program, '/virtual/src/'), [
    'sample.ts:1 bare: no TSDoc block',
    'sample.ts:4 noParam: no @param a',
    'sample.ts:7 noReturns: no @returns',
  ]);
});
