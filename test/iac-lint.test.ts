// Policy and lint of every Terraform module by maintained tools (versions in .tool-versions, installed by
// `npm run tools`):
//   - checkov (Bridgecrew/Prisma) with its full AWS policy set: zero failed checks. A skip is written inline in the
//     resource as `#checkov:skip=<id>:<reason>`, and this test refuses a skip without a reason.
//   - tflint with its bundled terraform ruleset, preset "all" (terragrunt/modules/.tflint.hcl): zero issues. The
//     AWS ruleset (tflint-ruleset-aws) is not installed: the Go module proxy refuses every version of it.
// Rules no tool has stay in test/iac-policy.test.ts. Each tool is shown able to fail on a small bad module.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../scripts/lib/toolchain.mjs';
import { listModules, modulesDir } from './lib/hcl.ts';

interface CheckovCheck { check_id: string; resource: string; file_path: string; check_result: { result: string; suppress_comment?: string } }
interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { passed_checks: CheckovCheck[]; failed_checks: CheckovCheck[]; skipped_checks: CheckovCheck[] };
}

/** Runs checkov's terraform framework over a directory and returns its JSON report. */
function checkov(dir: string): CheckovReport {
  const result = spawnSync(toolPath('checkov'), [
    '--directory', dir, '--framework', 'terraform', '--output', 'json', '--compact', '--skip-download',
    '--download-external-modules', 'false',
  ], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // HCL_PARSE_TIMEOUT_SEC: checkov gives up parsing a file after 10 s by default (checkov/terraform/parser_utils.py)
    // and reports it as a parsing error; on a loaded machine a large file (rds-postgres/main.tf,
    // apprunner-service/variables.tf) took longer. A parse that hangs still fails, after two minutes.
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', HCL_PARSE_TIMEOUT_SEC: '120' },
  });
  const parsed = JSON.parse(result.stdout || '{}') as CheckovReport | CheckovReport[];
  const report = Array.isArray(parsed) ? parsed.find((entry) => entry.summary) : parsed;
  if (!report?.summary) throw new Error(`checkov printed no report (exit ${result.status}): ${result.stderr.trim().split('\n').pop()}`);
  return report;
}

interface TflintIssue { rule: { name: string }; message: string; range: { filename: string; start: { line: number } } }

/** Runs tflint recursively over a directory with the repository's .tflint.hcl. */
function tflint(dir: string): { issues: TflintIssue[]; errors: { message: string }[] } {
  const result = spawnSync(toolPath('tflint'), [
    `--chdir=${dir}`, '--recursive', `--config=${join(modulesDir, '.tflint.hcl')}`, '--format=json', '--force',
  ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    return JSON.parse(result.stdout) as { issues: TflintIssue[]; errors: { message: string }[] };
  } catch {
    throw new Error(`tflint printed no JSON (exit ${result.status}): ${result.stderr.trim().split('\n').pop()}`);
  }
}

const describe = (check: CheckovCheck) => `${check.check_id} ${check.resource} (${check.file_path})`;

/**
 * The skips that give no reason. checkov reports a `#checkov:skip=<id>` without one as "No comment provided"
 * (checkov 3.3.30 terraform/context_parsers/base_parser.py): that is no reason either.
 */
function skipsWithoutReason(skipped: CheckovCheck[]): string[] {
  return skipped.filter((check) => {
    const reason = (check.check_result.suppress_comment ?? '').trim();
    return reason.length < 10 || reason === 'No comment provided';
  }).map(describe);
}

test('checkov: every module passes every check; every skip is inline with a reason', (t) => {
  const report = checkov(modulesDir);
  const { passed_checks: passed, failed_checks: failed, skipped_checks: skipped } = report.results;
  t.log(`checkov: ${passed.length} passed, ${failed.length} failed, ${skipped.length} skipped over ${listModules().length} modules`);
  t.is(report.summary.parsing_errors, 0, `checkov could not parse: ${JSON.stringify((report.results as { parsing_errors?: string[] }).parsing_errors ?? [])}`);
  t.deepEqual(failed.map(describe), []);
  t.deepEqual(skipsWithoutReason(skipped), [], 'a skip without a reason');
  t.true(passed.length > 100, 'checkov ran its checks');
});

test('tflint: every module is clean under the terraform ruleset (preset all)', (t) => {
  const { issues, errors } = tflint(modulesDir);
  t.log(`tflint: ${issues.length} issues, ${errors.length} errors over ${listModules().length} modules`);
  t.deepEqual(errors.map((error) => error.message), []);
  t.deepEqual(issues.map((issue) => `${issue.range.filename}:${issue.range.start.line} ${issue.rule.name}: ${issue.message}`), []);
});

/** A module that breaks both tools: an unencrypted, public S3 bucket and an untyped, undocumented variable. */
const BAD_MODULE = {
  'main.tf': 'resource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n\nresource "aws_security_group" "this" {\n  name = var.name\n\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
  'variables.tf': 'variable "name" {}\n',
  'outputs.tf': '',
  'versions.tf': 'terraform {\n  required_version = ">= 1.11.0"\n\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 5.0"\n    }\n  }\n}\n',
};

function badModule(t: { teardown: (fn: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'iac-lint-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'bad');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(BAD_MODULE)) writeFileSync(join(dir, name), text);
  return root;
}

test('checkov fails a module with an open SSH ingress and an unencrypted bucket', (t) => {
  const failed = new Set(checkov(badModule(t)).results.failed_checks.map((check) => check.check_id));
  // CKV_AWS_24: no ingress from 0.0.0.0/0 to port 22; CKV_AWS_145: S3 bucket encrypted with KMS by default.
  t.true(failed.has('CKV_AWS_24'), [...failed].join(', '));
  t.true(failed.has('CKV_AWS_145'), [...failed].join(', '));
});

test('tflint fails a module with an untyped, undocumented variable', (t) => {
  const rules = new Set(tflint(badModule(t)).issues.map((issue) => issue.rule.name));
  t.true(rules.has('terraform_typed_variables'), [...rules].join(', '));
  t.true(rules.has('terraform_documented_variables'), [...rules].join(', '));
});

test('a checkov skip without a reason is refused, one with a reason is not', (t) => {
  const root = badModule(t);
  const main = join(root, 'bad', 'main.tf');
  // The open SSH ingress skipped bare; the unencrypted bucket's KMS check skipped with a reason.
  writeFileSync(main, readFileSync(main, 'utf8')
    .replace('resource "aws_security_group" "this" {\n', 'resource "aws_security_group" "this" {\n  #checkov:skip=CKV_AWS_24\n')
    .replace('resource "aws_s3_bucket" "this" {\n', 'resource "aws_s3_bucket" "this" {\n  #checkov:skip=CKV_AWS_145:a fixture bucket that a test pretends needs no KMS\n'));
  const { skipped_checks: skipped } = checkov(root).results;
  t.deepEqual(skipped.map((check) => check.check_id).sort(), ['CKV_AWS_145', 'CKV_AWS_24']);
  t.deepEqual(skipsWithoutReason(skipped).map((line) => line.split(' ')[0]), ['CKV_AWS_24']);
});
