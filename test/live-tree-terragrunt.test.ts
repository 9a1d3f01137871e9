// The live tree checked by the real Terragrunt (.local/tools/bin/terragrunt, `npm run tools`), generic over units so
// that new units and modules are covered without listing them. These replace the home-made evaluator's rules:
//   - `terragrunt hcl fmt --check`: every .hcl file is formatted.
//   - `terragrunt hcl validate --inputs --strict`: every unit and include parses and evaluates, every required
//     variable of the unit's module is set, and (--strict) every input is a variable of the module: without
//     --strict an unknown input is only a warning (Terragrunt v1.1.1 `hcl validate --help`).
//   - `terragrunt find --dag --json --dependencies`: every unit is discovered, every dependency is a unit, no cycle.
// Every dependency output a unit reads having a mock is shown by `terragrunt render` succeeding for every unit
// with no state reachable (test/live-tree.test.ts renders them all).
// Runs on a throwaway copy of terragrunt/ so that no cache lands in the checkout.
import test from 'ava';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { repoRoot } from './lib/hcl.ts';
import { terragrunt } from './lib/terragrunt.ts';

const work = mkdtempSync(join(tmpdir(), 'live-tree-terragrunt-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

/** A fresh copy of terragrunt/ under the work folder, so a test may break it. */
function copyTree(name: string): string {
  const tree = join(work, name, 'terragrunt');
  cpSync(join(repoRoot, 'terragrunt'), tree, { recursive: true, filter: (source) => !['.terraform', '.terragrunt-cache'].includes(basename(source)) });
  return tree;
}
const tree = copyTree('clean');
const live = join(tree, 'live');

/** Every unit folder (holding terragrunt.hcl) under live/, relative to it. */
function units(dir = live): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .flatMap((entry) => (existsSync(join(dir, entry.name, 'terragrunt.hcl')) ? [relative(live, join(dir, entry.name))] : units(join(dir, entry.name))))
    .sort();
}

const fmtCheck = (root: string) => terragrunt(['hcl', 'fmt', '--check', '--working-dir', root], root);
const validateInputs = (root: string) => terragrunt(['hcl', 'validate', '--inputs', '--strict', '--working-dir', join(root, 'live')], join(root, 'live'));

test('terragrunt hcl fmt --check: every .hcl file of the tree is formatted', async (t) => {
  const result = await fmtCheck(tree);
  t.is(result.status, 0, result.output);
});

test('terragrunt hcl validate --inputs --strict: every unit evaluates, no unknown input and no missing required variable', async (t) => {
  const result = await validateInputs(tree);
  t.is(result.status, 0, result.output);
});

/**
 * `terragrunt find --dag --json --dependencies` over a live folder, and what is wrong with the graph. Terragrunt
 * v1.1.1 exits 0 on both faults: a cycle is a WARN ("Cycle detected in dependency graph, attempting removal of
 * cycles") after which the units on it are left out of the list, and a dependency on a folder that is no unit is
 * listed as a dependency like any other (both measured here).
 */
async function dagProblems(liveRoot: string, expectedUnits: string[]): Promise<{ problems: string[]; edges: number }> {
  const result = await terragrunt(['find', '--dag', '--json', '--dependencies', '--working-dir', liveRoot], liveRoot);
  if (result.status !== 0) return { problems: [`terragrunt find failed:\n${result.output}`], edges: 0 };
  const problems: string[] = [];
  if (/Cycle detected/i.test(result.output)) problems.push(`dependency cycle: ${result.output.split('\n').find((line) => /Cycle detected/i.test(line))}`);
  const found = JSON.parse(result.stdout) as Array<{ path: string; type: string; dependencies?: string[] }>;
  const paths = found.filter((entry) => entry.type === 'unit').map((entry) => entry.path).sort();
  const missing = expectedUnits.filter((unit) => !paths.includes(unit));
  if (missing.length > 0) problems.push(`units not in the graph: ${missing.join(', ')}`);
  const known = new Set(paths);
  let edges = 0;
  for (const entry of found) {
    for (const dependency of entry.dependencies ?? []) {
      edges++;
      if (!known.has(dependency)) problems.push(`${entry.path} depends on ${dependency}, which is not a unit`);
    }
  }
  return { problems, edges };
}

test('terragrunt find --dag: every unit is found, every dependency is a unit, the graph is acyclic', async (t) => {
  const { problems, edges } = await dagProblems(live, units());
  t.deepEqual(problems, []);
  t.true(edges >= 15, `${edges} dependency edges`);
});

test('the checks can fail: a dependency cycle and a dependency on no unit are reported', async (t) => {
  const broken = copyTree('graph');
  const brokenLive = join(broken, 'live');
  const network = join(brokenLive, 'nonprod', 'eu-west-1', 'dev', 'network', 'terragrunt.hcl');
  const text = readFileSync(network, 'utf8');
  // app-ecs depends on network: network depending on app-ecs closes a cycle.
  writeFileSync(network, `${text}\ndependency "cycle" {\n  config_path = "../app-ecs"\n}\n`);
  const cycle = await dagProblems(brokenLive, units());
  t.true(cycle.problems.some((problem) => problem.startsWith('dependency cycle')), cycle.problems.join('\n'));
  writeFileSync(network, `${text}\ndependency "nowhere" {\n  config_path = "../no-such-unit"\n}\n`);
  const dangling = await dagProblems(brokenLive, units());
  t.deepEqual(dangling.problems, ['nonprod/eu-west-1/dev/network depends on nonprod/eu-west-1/dev/no-such-unit, which is not a unit']);
});

test('the checks can fail: a misformatted file and an unknown input are reported', async (t) => {
  const broken = copyTree('broken');
  const unit = join(broken, 'live', 'nonprod', 'eu-west-1', 'dev', 'alarms', 'terragrunt.hcl');
  writeFileSync(join(broken, 'live', 'nonprod', 'eu-west-1', 'dev', 'network', 'extra.hcl'), 'locals {\nx=1\n}\n');
  t.not((await fmtCheck(broken)).status, 0, 'hcl fmt --check passes a misformatted file');
  // alarm-topic has no variable "no_such_variable": hcl validate --inputs must refuse it.
  writeFileSync(unit, `${readFileSync(unit, 'utf8')}\ninputs = {\n  no_such_variable = 1\n}\n`);
  const unknown = await validateInputs(broken);
  t.not(unknown.status, 0, 'hcl validate --inputs passes an unknown input');
  t.regex(unknown.output, /no_such_variable/);
});

test('the checks can fail: a required variable left unset is reported', async (t) => {
  const broken = copyTree('missing');
  // The rds unit's envcommon sets rds-postgres's required variable "identifier" (no default); drop that line.
  const envcommon = join(broken, 'live', '_envcommon', 'rds.hcl');
  const text = readFileSync(envcommon, 'utf8');
  const without = text.replace(/^\s*identifier\s*=.*\n/m, '');
  t.not(without, text, 'rds.hcl sets identifier');
  writeFileSync(envcommon, without);
  const missing = await validateInputs(broken);
  t.not(missing.status, 0, 'hcl validate --inputs passes a missing required variable');
  t.regex(missing.output, /\bidentifier\b/);
});
