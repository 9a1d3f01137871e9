// The live tree checked by the real Terragrunt (.local/tools/bin/terragrunt, `npm run tools`), generic over units so
// that new units and modules are covered without listing them:
//   - `terragrunt hcl fmt --check`: every .hcl file is formatted.
//   - `terragrunt hcl validate`: every unit and include parses and evaluates.
//   - `terragrunt hcl validate --inputs`: every input is a variable of the unit's module and every required
//     variable is set (Terragrunt reads the module's variables itself).
//   - `terragrunt find --dag --json`: every unit is discovered, every dependency points at a unit, no cycle.
// Runs on a throwaway copy of terragrunt/ so no cache lands in the checkout.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { toolPath } from '../scripts/lib/toolchain.mjs';
import { repoRoot } from './lib/hcl.ts';

const work = mkdtempSync(join(tmpdir(), 'live-tree-terragrunt-'));
const tree = join(work, 'terragrunt');
cpSync(join(repoRoot, 'terragrunt'), tree, { recursive: true, filter: (source) => !['.terraform', '.terragrunt-cache'].includes(basename(source)) });
const live = join(tree, 'live');
test.after.always(() => rmSync(work, { recursive: true, force: true }));

function terragrunt(args: string[]) {
  const result = spawnSync(toolPath('terragrunt'), args, {
    cwd: live,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TG_NON_INTERACTIVE: 'true', TG_NO_COLOR: 'true', TG_LOG_LEVEL: 'error' },
  });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

/** Every unit folder (holding terragrunt.hcl) under live/, relative to it. */
function units(dir = live): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .flatMap((entry) => (existsSync(join(dir, entry.name, 'terragrunt.hcl')) ? [relative(live, join(dir, entry.name))] : units(join(dir, entry.name))))
    .sort();
}

test('terragrunt hcl fmt --check: every .hcl file of the live tree is formatted', (t) => {
  const result = terragrunt(['hcl', 'fmt', '--check', '--working-dir', tree]);
  t.is(result.status, 0, result.output);
});

test('terragrunt hcl validate: every unit parses and evaluates', (t) => {
  const result = terragrunt(['hcl', 'validate', '--working-dir', live]);
  t.is(result.status, 0, result.output);
});

test('terragrunt hcl validate --inputs: no unknown input and no missing required variable in any unit', (t) => {
  const result = terragrunt(['hcl', 'validate', '--inputs', '--working-dir', live]);
  t.is(result.status, 0, result.output);
});

test('terragrunt find --dag: every unit is found, every dependency is a unit, the graph is acyclic', (t) => {
  const result = terragrunt(['find', '--dag', '--json', '--dependencies', '--working-dir', live]);
  t.is(result.status, 0, result.output);
  const found = JSON.parse(result.stdout) as Array<{ path: string; type: string; dependencies?: string[] }>;
  const paths = found.filter((entry) => entry.type === 'unit').map((entry) => entry.path).sort();
  t.deepEqual(paths, units());
  const known = new Set(paths);
  for (const entry of found) {
    for (const dependency of entry.dependencies ?? []) t.true(known.has(dependency), `${entry.path} depends on ${dependency}, which is not a unit`);
  }
});
