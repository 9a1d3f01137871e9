// scripts/ci/plan-summary.ts on real `terraform show -json` output. The fixtures were produced by
// Terraform 1.11 from terraform_data resources (create, update, delete, replace, no-op), and
// `terraform show` on the same plan printed "Plan: 2 to add, 1 to change, 2 to destroy."
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { countPlan, renderMarkdown, summarizeDir } from '../scripts/ci/plan-summary.ts';
import { repoRoot } from './lib/hcl.ts';

const fixtures = join(repoRoot, 'test', 'fixtures', 'ci', 'plans', 'dev');
const script = join(repoRoot, 'scripts', 'ci', 'plan-summary.ts');

test('counts a real plan the way terraform plan does', (t) => {
  const plan = JSON.parse(readFileSync(join(fixtures, 'app', 'tfplan.json'), 'utf8'));
  const counts = countPlan('app', plan);
  t.like(counts, { add: 2, change: 1, destroy: 2, replace: 1, import: 0, outputs: 1, planned: true });
});

test('a plan with only no-op changes counts nothing', (t) => {
  const plan = JSON.parse(readFileSync(join(fixtures, 'network', 'tfplan.json'), 'utf8'));
  t.like(countPlan('network', plan), { add: 0, change: 0, destroy: 0, replace: 0 });
});

test('imports and forgets are counted; reads are not', (t) => {
  const counts = countPlan('x', {
    format_version: '1.2',
    resource_changes: [
      { address: 'a.imported', change: { actions: ['no-op'], importing: { id: 'i-1' } } },
      { address: 'data.a.read', change: { actions: ['read'] } },
      { address: 'a.forgotten', change: { actions: ['forget'] } },
      { address: 'a.create_first', change: { actions: ['create', 'delete'] } },
    ],
  });
  t.like(counts, { import: 1, forget: 1, add: 1, destroy: 1, replace: 1, change: 0 });
});

test('refuses an unknown plan format instead of reporting no changes', (t) => {
  const error = t.throws(() => countPlan('x', { format_version: '2.0', resource_changes: [] }), { instanceOf: TypeError });
  t.regex(error.message, /format_version/);
  t.throws(() => countPlan('x', {}), { instanceOf: TypeError });
});

test('summarizes a json-out-dir tree by unit path and flags expected units without a plan', (t) => {
  const units = summarizeDir(fixtures, ['app', 'network', 'rds']);
  t.deepEqual(units.map((u) => [u.unit, u.planned]), [['app', true], ['network', true], ['rds', false]]);
});

test('nested unit paths keep their folders', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-summary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '_global', 'ecr'), { recursive: true });
  writeFileSync(join(dir, '_global', 'ecr', 'tfplan.json'), JSON.stringify({ format_version: '1.2' }));
  t.deepEqual(summarizeDir(dir).map((u) => u.unit), ['_global/ecr']);
});

test('renders destroys in bold, a totals line, and failed units', (t) => {
  const markdown = renderMarkdown('nonprod/dev', summarizeDir(fixtures, ['app', 'network', 'rds']));
  t.true(markdown.includes('| `app` | 0 | 2 | 1 | **2** :warning: | 1 | 1 |'));
  t.true(markdown.includes('| `network` | 0 | 0 | 0 | 0 | 0 | 0 |'));
  t.true(markdown.includes('| `rds` |'));
  t.true(markdown.includes('**Total:** 0 to import, 2 to add, 1 to change, 2 to destroy (1 replacements).'));
  t.true(markdown.includes('1 unit(s) produced no plan'));
  t.is(renderMarkdown('empty', []), '### Terragrunt plan: empty\n\nNo units were planned.\n');
});

test('the CLI prints the summary and fails when an expected unit has no plan', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-summary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const unitsFile = join(dir, 'units.txt');
  writeFileSync(unitsFile, 'app\nnetwork\n');
  const run = (extra: string[]) =>
    spawnSync(process.execPath, ['--import=tsx', script, '--dir', fixtures, '--title', 'dev', ...extra], { cwd: repoRoot, encoding: 'utf8' });
  const ok = run(['--units-file', unitsFile]);
  t.is(ok.status, 0, ok.stderr);
  t.true(ok.stdout.startsWith('### Terragrunt plan: dev'));
  writeFileSync(unitsFile, 'app\nnetwork\nsecrets\n');
  const failed = run(['--units-file', unitsFile]);
  t.is(failed.status, 1);
  t.true(failed.stdout.includes('`secrets`'));
  t.is(spawnSync(process.execPath, ['--import=tsx', script], { cwd: repoRoot }).status, 2);
});
