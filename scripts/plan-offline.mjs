#!/usr/bin/env node
// `npm run plan:offline`: the real `terragrunt run --all plan` over every environment, offline.
//   - Terragrunt and Terraform are the real ones (.local/tools/bin/terragrunt from `npm run tools`, terraform on
//     PATH with the local hashicorp/aws provider mirror, scripts/lib/terraform-cli.mjs).
//   - AWS is moto (moto_server from `npm run tools`, the maintained AWS emulator) on a loopback port, one server per
//     account so that STS answers with that account's ID and the generated provider's allowed_account_ids holds.
//     Every AWS SDK involved (Terragrunt's, the S3 backend's, the provider's) is pointed at it with AWS_ENDPOINT_URL;
//     the S3 SDK uses path-style requests for an IP-address endpoint, so root.hcl is planned exactly as written.
//   - State: the S3 backend of root.hcl, for real, against moto. Each state bucket (one per account and region,
//     root.hcl `state_bucket`) is created in moto beforehand, versioned, as the account's _global/state-backend unit
//     creates it in a real account; Terragrunt is not asked to bootstrap it. `--backend-bootstrap` would also put
//     Terragrunt's EnforcedTLS bucket policy on it (Deny s3:* when aws:SecureTransport is false), which moto 5.2.5
//     applies to every request (BUCKET_POLICY_CONDITION_GAP in scripts/lib/moto.mjs, with the moto source lines).
//   - Units run from a throwaway copy of terragrunt/, so no .terragrunt-cache or lock file lands in the checkout.
//   - The ClickHouse Terraform provider cannot be installed here (its v3 tags lack the /v3 module path, so the Go
//     module proxy refuses it): every `clickhouse` unit is excluded with that reason printed. Units that depend on
//     it read its mock_outputs (plan is in their mock_outputs_allowed_terraform_commands).
//   - Policy: each planned unit's JSON plan (Terragrunt's --json-out-dir) is scanned by checkov's terraform_plan
//     framework, with the module's inline skips applied (scripts/lib/checkov-plans.mjs): the values each
//     environment really sets, which the module scan of test/iac-lint.test.ts cannot see. Any failed check fails.
// Prints one line per unit and per checkov run, and exits 1 when any unit or check fails.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkovPlans } from './lib/checkov-plans.mjs';
import { createBucket, startMoto } from './lib/moto.mjs';
import { hclLocal } from './lib/hcl-locals.mjs';
import { dummyAwsEnv, terraformEnv } from './lib/terraform-cli.mjs';
import { repoRoot, toolPath } from './lib/toolchain.mjs';

/** The live trees planned: each account's _global units and its environments (all units under live/<account>). */
export const ACCOUNTS = ['nonprod', 'prod'];
/** Units needing a provider that cannot be installed here, with the reason printed for each. */
export const EXCLUDED_UNITS = {
  clickhouse:
    'needs the ClickHouse/clickhouse Terraform provider, which cannot be built here (its v3 tags lack the /v3 module path; the Go module proxy answers 403)',
};

const terragruntSource = join(repoRoot, 'terragrunt');

class PlanError extends Error {}

function accountLocals(workTree, account) {
  const file = join(workTree, 'live', account, 'account.hcl');
  const accountId = hclLocal(file, 'account_id');
  const homeRegion = hclLocal(file, 'home_region');
  if (!/^\d{12}$/.test(accountId ?? '') || !/^[a-z0-9-]+$/.test(homeRegion ?? '')) throw new PlanError(`live/${account}/account.hcl: no account_id or home_region`);
  return { accountId, homeRegion };
}

/** The state buckets of one account, as root.hcl names them: one per region folder, plus the home region's. */
function stateBuckets(workTree, account) {
  const { accountId, homeRegion } = accountLocals(workTree, account);
  const regions = new Set([homeRegion]);
  for (const entry of readdirSync(join(workTree, 'live', account), { withFileTypes: true })) {
    const file = join(workTree, 'live', account, entry.name, 'region.hcl');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const region = hclLocal(file, 'aws_region');
    if (region && /^[a-z0-9-]+$/.test(region)) regions.add(region);
  }
  return [...regions].map((region) => ({ region, bucket: `acme-auth-tfstate-${accountId}-${region}` }));
}

/** Unit folders (holding terragrunt.hcl) under a directory, relative to it. */
function unitsUnder(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      return existsSync(join(path, 'terragrunt.hcl')) ? [name] : unitsUnder(path, name);
    })
    .sort();
}

function runTerragrunt(args, options) {
  return new Promise((resolveRun) => {
    const child = spawn(toolPath('terragrunt'), args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk.toString()));
    child.stderr.on('data', (chunk) => (output += chunk.toString()));
    child.on('close', (status) => resolveRun({ status, output }));
  });
}

/** Where Terragrunt writes the JSON plans of one account's units (--json-out-dir). */
function jsonOutDir(workTree, account) {
  return join(workTree, `plans-${account}`);
}

/** Plans every unit of one account against its moto server; returns one result per unit. */
async function planAccount(workTree, account, log) {
  const { accountId } = accountLocals(workTree, account);
  let moto;
  try {
    moto = await startMoto(accountId);
  } catch (error) {
    throw new PlanError(error.message);
  }
  try {
    for (const state of stateBuckets(workTree, account)) await createBucket(moto.url, state);
    const accountDir = join(workTree, 'live', account);
    const units = unitsUnder(accountDir);
    const excluded = units.filter((unit) => basename(unit) in EXCLUDED_UNITS);
    for (const unit of excluded) log(`EXCLUDED ${account}/${unit}: ${EXCLUDED_UNITS[basename(unit)]}`);
    const reportFile = join(workTree, `report-${account}.json`);
    const env = {
      ...terraformEnv(),
      ...dummyAwsEnv,
      AWS_ENDPOINT_URL: moto.url,
      TG_NON_INTERACTIVE: 'true',
      TG_NO_COLOR: 'true',
      TG_LOG_FORMAT: 'bare',
    };
    const args = [
      'run', '--all', '--non-interactive',
      '--working-dir', accountDir,
      '--report-file', reportFile, '--report-format', 'json',
      // Each unit's plan as JSON (`terraform show -json`), at <jsonOutDir>/<unit>/tfplan.json, for checkov below.
      '--json-out-dir', jsonOutDir(workTree, account),
      ...excluded.flatMap((unit) => ['--queue-exclude-dir', join(accountDir, unit)]),
      '--', 'plan', '-input=false',
    ];
    const { status, output } = await runTerragrunt(args, { cwd: accountDir, env });
    const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : [];
    const byUnit = new Map(report.map((entry) => [relative(accountDir, entry.Name.startsWith('/') ? entry.Name : join(accountDir, entry.Name)), entry]));
    const results = units.map((unit) => {
      if (excluded.includes(unit)) return { unit: `${account}/${unit}`, result: 'excluded' };
      const entry = byUnit.get(unit);
      // A unit whose exclude block applies (Terragrunt v1.1.1 report: Result "excluded", Reason "exclude block").
      if (entry && String(entry.Result).toLowerCase() === 'excluded') return { unit: `${account}/${unit}`, result: 'excluded', reason: entry.Reason ?? 'exclude block' };
      return { unit: `${account}/${unit}`, result: entry ? String(entry.Result).toLowerCase() : 'not run', reason: entry?.Reason };
    });
    return { results, status, output };
  } finally {
    moto.stop();
  }
}

/**
 * checkov over every planned unit's JSON plan (scripts/lib/checkov-plans.mjs); returns the number of failures.
 * Every planned unit must have had its plan scanned: a unit whose JSON plan Terragrunt did not write would otherwise
 * pass unscanned.
 */
async function checkovLiveUnits(workTree, planned, log) {
  const totals = { units: 0, passed: 0, failed: [], skipped: 0, errors: [] };
  for (const account of ACCOUNTS) {
    const result = await checkovPlans({
      jsonOutDir: jsonOutDir(workTree, account),
      liveDir: join(workTree, 'live', account),
      modulesDir: join(workTree, 'modules'),
      log,
    });
    totals.units += result.units;
    totals.passed += result.passed;
    totals.skipped += result.skipped;
    totals.failed.push(...result.failed.map((line) => `${account}/${line}`));
    totals.errors.push(...result.errors.map((line) => `${account}/${line}`));
  }
  for (const line of [...totals.failed, ...totals.errors]) log(`FAIL checkov ${line}`);
  log(`checkov (live units): ${totals.units} plans, ${totals.passed} passed, ${totals.failed.length} failed, ${totals.skipped} skipped, ${totals.errors.length} errors`);
  const unscanned = totals.units === planned && planned > 0 ? 0 : 1;
  if (unscanned) log(`FAIL checkov scanned ${totals.units} JSON plans for ${planned} planned units (--json-out-dir)`);
  return totals.failed.length + totals.errors.length + unscanned;
}

/**
 * The error lines of a failed `run --all`: Terragrunt's ERRO lines and their `* ` items, and each Terraform
 * `Error:` with the lines that say where and why (Terraform's diagnostic: summary, source lines, detail), not every
 * line that happens to contain "error" (a plan diff shows resources named "errors" and variables like HIBP_FAIL_CLOSED).
 */
export function errorLines(output, limit = 40) {
  const lines = output.split('\n');
  const kept = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (/^\s*Error: /.test(line)) {
      kept.push(line);
      for (let next = index + 1; next < lines.length && next <= index + 10 && !/^\s*(ERRO|INFO|WARN|Error: |\* )/.test(lines[next]); next++) {
        if (lines[next].trim()) kept.push(lines[next]);
      }
    } else if (/^(ERRO\b|\* )/.test(line)) {
      kept.push(line);
    }
  }
  return [...new Set(kept)].slice(-limit);
}

async function main() {
  const started = Date.now();
  toolPath('terragrunt');
  toolPath('moto_server');
  const work = mkdtempSync(join(tmpdir(), 'plan-offline-'));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  process.on('exit', cleanup);
  const workTree = join(work, 'terragrunt');
  cpSync(terragruntSource, workTree, {
    recursive: true,
    filter: (source) => !['.terraform', '.terragrunt-cache'].includes(basename(source)),
  });
  const log = (line) => process.stdout.write(`${line}\n`);
  let failed = 0;
  let planned = 0;
  for (const account of ACCOUNTS) {
    const { results, status, output } = await planAccount(workTree, account, log);
    for (const { unit, result, reason } of results) {
      if (result === 'excluded') {
        // Left out by our EXCLUDED_UNITS (already printed) or by the unit's own `exclude` block: the app unit of
        // the compute target an environment does not run (issue 13). Terragrunt's report says which.
        if (reason) log(`skip ${unit}: excluded by Terragrunt (${reason})`);
        continue;
      }
      const ok = result === 'succeeded';
      if (ok) planned += 1;
      else failed += 1;
      log(`${ok ? 'ok  ' : 'FAIL'} ${unit}: plan ${result}${reason ? ` (${reason})` : ''}`);
    }
    if (status !== 0 || results.some(({ result }) => !['succeeded', 'excluded'].includes(result))) {
      const tail = errorLines(output).join('\n');
      if (tail) process.stderr.write(`${tail}\n`);
      if (status !== 0 && !results.some(({ result }) => result === 'failed')) failed += 1;
    }
  }
  failed += await checkovLiveUnits(workTree, planned, log);
  log(`plan:offline: ${planned} units planned, ${failed} failed, excluded: ${Object.keys(EXCLUDED_UNITS).join(', ')} (${Math.round((Date.now() - started) / 1000)}s)`);
  process.exitCode = failed === 0 ? 0 : 1;
}

// Run when invoked (`npm run plan:offline`), not when a test imports errorLines.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((error) => {
    process.stderr.write(`plan:offline: ${error instanceof PlanError || /is not installed|^moto/.test(error.message) ? error.message : `${error.name}: ${error.message}`}\n`);
    process.exit(1);
  });
}
