// checkov over the rendered live units: the JSON plans that `terragrunt run --all plan --json-out-dir <dir>` wrote
// (one `<dir>/<unit path>/tfplan.json` per unit, the `terraform show -json` of its plan), scanned with checkov's
// terraform_plan framework as its docs describe ("Terraform Plan Scanning": `checkov -f tfplan.json`). A plan holds
// the unit's real inputs after Terragrunt rendered them (env.hcl sizing, dependency outputs or their mocks), so this
// checks what the module scan (test/iac-lint.test.ts) cannot: the values each environment actually sets.
//   - Skips: a plan has no comments, so checkov is given the module source as
//     `--repo-root-for-plan-enrichment`, and it applies the module's inline `#checkov:skip=<id>:<reason>` comments to
//     the plan's resources by `<type>.<name>` (checkov 3.3.30, common/output/report.py handle_skipped_checks). One
//     checkov run per module, so that two modules' resources of the same `<type>.<name>` never share skips.
//   - Zero failed checks and no parse error, or the step fails; a skip without a reason fails it too.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { toolPath } from './toolchain.mjs';

/** Files named tfplan.json under a directory (Terragrunt's --json-out-dir layout), absolute paths. */
function planFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return planFiles(path);
    return entry.name === 'tfplan.json' ? [path] : [];
  });
}

/**
 * The module a unit deploys, from its terragrunt.hcl `terraform { source = ".../modules//<name>" }` (every unit of
 * this repository names its module so; a unit that does not is an error, not a silent skip).
 */
function unitModule(unitDir) {
  const text = readFileSync(join(unitDir, 'terragrunt.hcl'), 'utf8');
  const match = /source\s*=\s*"[^"]*\/modules\/\/([a-z0-9-]+)"/.exec(text);
  if (!match) throw new Error(`${join(unitDir, 'terragrunt.hcl')}: no terraform.source of the form ".../modules//<name>"`);
  return match[1];
}

/**
 * Whether a skip gives a reason. checkov fills in "No comment provided" for `#checkov:skip=<id>` without one
 * (checkov 3.3.30 terraform/context_parsers/base_parser.py), so that text counts as no reason.
 */
export function hasReason(comment) {
  const text = (comment ?? '').trim();
  return text.length >= 10 && text !== 'No comment provided';
}

function runCheckov(args) {
  return new Promise((resolveRun) => {
    const child = spawn(toolPath('checkov'), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // BC_SKIP_MAPPING / CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: no call to the Prisma Cloud API (offline); as in
      // test/iac-lint.test.ts. HCL_PARSE_TIMEOUT_SEC: the module parse for enrichment on a loaded machine.
      // EVAL_TF_PLAN_AFTER_UNKNOWN: an attribute the plan knows only after apply (a KMS key ARN of a key created in
      // the same plan) counts as set, not as absent (checkov 3.3.30 terraform/plan_parser.py _eval_after_unknown;
      // bridgecrewio/checkov#800). Checks of a concrete value still fail on it.
      env: {
        ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', HCL_PARSE_TIMEOUT_SEC: '120',
        EVAL_TF_PLAN_AFTER_UNKNOWN: 'true',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    child.on('close', (status) => resolveRun({ status, stdout, stderr }));
  });
}

/**
 * Scans the JSON plans of one live tree with checkov's terraform_plan framework.
 * @param {{ jsonOutDir: string, liveDir: string, modulesDir: string, log: (line: string) => void }} options
 *   jsonOutDir: the folder given to Terragrunt's --json-out-dir; liveDir: the folder `run --all` ran from (unit
 *   paths under jsonOutDir are relative to it); modulesDir: the folder of the Terraform modules (skip comments).
 * @returns {Promise<{ units: number, passed: number, failed: string[], skipped: number, errors: string[] }>}
 *   failed: one line per failed check (`<unit> <check id> <resource>`); errors: parse errors, skips without a reason,
 *   or a checkov run that printed no report.
 */
export async function checkovPlans({ jsonOutDir, liveDir, modulesDir, log }) {
  const byModule = new Map();
  for (const file of planFiles(jsonOutDir)) {
    const unit = relative(jsonOutDir, join(file, '..'));
    const module = unitModule(join(liveDir, unit));
    byModule.set(module, [...(byModule.get(module) ?? []), { unit, file }]);
  }
  const totals = { units: 0, passed: 0, failed: [], skipped: 0, errors: [] };
  for (const [module, plans] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
    const { status, stdout, stderr } = await runCheckov([
      ...plans.flatMap(({ file }) => ['-f', file]),
      '--framework', 'terraform_plan', '--repo-root-for-plan-enrichment', join(modulesDir, module),
      '--output', 'json', '--compact', '--skip-download', '--download-external-modules', 'false',
    ]);
    let parsed;
    try {
      parsed = JSON.parse(stdout || 'null');
    } catch {
      parsed = null;
    }
    // One report object; checkov prints a list when several check types ran, and an empty summary-only object
    // when a plan has no resource a check applies to.
    const report = Array.isArray(parsed) ? parsed.find((entry) => entry?.check_type === 'terraform_plan') : parsed;
    if (!report?.summary) {
      totals.errors.push(`${module}: checkov printed no report (exit ${status}): ${stderr.trim().split('\n').pop() ?? ''}`);
      continue;
    }
    const unitOf = (check) => plans.find(({ file }) => check.file_abs_path === file || (check.file_path ?? '').endsWith(relative(jsonOutDir, file)))?.unit ?? module;
    const results = report.results ?? { passed_checks: [], failed_checks: [], skipped_checks: [] };
    totals.units += plans.length;
    totals.passed += results.passed_checks.length;
    totals.skipped += results.skipped_checks.length;
    for (const check of results.failed_checks) totals.failed.push(`${unitOf(check)} ${check.check_id} ${check.resource}`);
    for (const check of results.skipped_checks) {
      if (!hasReason(check.check_result?.suppress_comment)) totals.errors.push(`${unitOf(check)} ${check.check_id} ${check.resource}: skipped without a reason`);
    }
    if (report.summary.parsing_errors > 0) totals.errors.push(`${module}: checkov could not parse ${report.summary.parsing_errors} file(s)`);
    log(`checkov ${module} (${plans.map(({ unit }) => unit).join(', ')}): ${results.passed_checks.length} passed, ${results.failed_checks.length} failed, ${results.skipped_checks.length} skipped`);
  }
  return totals;
}
