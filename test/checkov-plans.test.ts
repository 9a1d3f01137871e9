// The checkov step of `npm run plan:offline` (scripts/lib/checkov-plans.mjs) on real plans: a small module is
// planned by the real terraform (1.11.4, the local hashicorp/aws mirror) and shown as JSON (`terraform show -json`),
// laid out as Terragrunt v1.1.1's --json-out-dir lays it out (<dir>/<unit path>/tfplan.json, internal/component/
// unit.go OutputJSONFile), and scanned by the real checkov (3.3.30, terraform_plan framework). Shows that the step
// fails a bad plan, applies the module's inline skips to the plan, and refuses a skip without a reason.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Totals { units: number; passed: number; failed: string[]; skipped: number; errors: string[] }
interface CheckovPlans {
  checkovPlans: (options: { jsonOutDir: string; liveDir: string; modulesDir: string; log: (line: string) => void }) => Promise<Totals>;
}
interface TerraformCli {
  terraformEnv: (base?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  dummyAwsEnv: Record<string, string>;
}
// Plain .mjs files: imported through a variable so their types come from the interfaces above.
const stepPath = '../scripts/lib/checkov-plans.mjs';
const cliPath = '../scripts/lib/terraform-cli.mjs';
const { checkovPlans } = (await import(stepPath)) as CheckovPlans;
const cli = (await import(cliPath)) as TerraformCli;

const PROVIDER = `terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
`;

/** A security group open to the world on port 22 (CKV_AWS_24), with an optional inline skip line in it. */
function sshModule(skip: string): string {
  return `resource "aws_security_group" "this" {
  ${skip}
  name        = "ssh"
  description = "SSH from anywhere"

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;
}

/** Builds modules/<name>, live/<unit>/terragrunt.hcl naming it, and plans/<unit>/tfplan.json from a real plan. */
function layout(root: string, unit: string, module: string, moduleText: string): void {
  const moduleDir = join(root, 'modules', module);
  mkdirSync(moduleDir, { recursive: true });
  writeFileSync(join(moduleDir, 'main.tf'), `${PROVIDER}\n${moduleText}`);
  mkdirSync(join(root, 'live', unit), { recursive: true });
  writeFileSync(join(root, 'live', unit, 'terragrunt.hcl'), `terraform {\n  source = "../../modules//${module}"\n}\n`);
  const env = { ...cli.terraformEnv(), ...cli.dummyAwsEnv, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
  execFileSync('terraform', ['init', '-input=false', '-no-color'], { cwd: moduleDir, env, stdio: 'pipe' });
  execFileSync('terraform', ['plan', '-input=false', '-no-color', '-out=plan.bin'], { cwd: moduleDir, env, stdio: 'pipe' });
  const json = execFileSync('terraform', ['show', '-json', 'plan.bin'], { cwd: moduleDir, env, maxBuffer: 64 * 1024 * 1024 });
  rmSync(join(moduleDir, '.terraform'), { recursive: true, force: true });
  rmSync(join(moduleDir, 'plan.bin'), { force: true });
  mkdirSync(join(root, 'plans', unit), { recursive: true });
  writeFileSync(join(root, 'plans', unit, 'tfplan.json'), json);
}

async function scan(root: string): Promise<Totals> {
  return checkovPlans({ jsonOutDir: join(root, 'plans'), liveDir: join(root, 'live'), modulesDir: join(root, 'modules'), log: () => {} });
}

test('a plan with SSH open to the world fails, naming the unit, the check and the resource', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'checkov-plans-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  layout(root, 'dev/ssh', 'open-ssh', sshModule(''));
  const totals = await scan(root);
  t.is(totals.units, 1);
  t.true(totals.failed.includes('dev/ssh CKV_AWS_24 aws_security_group.this'), totals.failed.join('\n'));
  t.true(totals.passed > 0);
});

test('the module\'s inline skip with a reason applies to the plan; a skip without one is an error', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'checkov-plans-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  layout(root, 'dev/ssh', 'skipped-ssh', sshModule('#checkov:skip=CKV_AWS_24:a bastion that a test pretends to need'));
  layout(root, 'dev/bare', 'bare-skip', sshModule('#checkov:skip=CKV_AWS_24'));
  const totals = await scan(root);
  t.false(totals.failed.some((line) => line.startsWith('dev/ssh CKV_AWS_24')), totals.failed.join('\n'));
  t.true(totals.skipped >= 2);
  t.deepEqual(totals.errors.filter((line) => line.includes('CKV_AWS_24')), ['dev/bare CKV_AWS_24 aws_security_group.this: skipped without a reason']);
});
