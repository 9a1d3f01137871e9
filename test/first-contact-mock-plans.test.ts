// Issue 12 (first contact), item 6: a saved plan built on a dependency's mock outputs is never applied.
// Terragrunt v1.1.1 (pkg/config/dependency.go, getTerragruntOutputIfAppliedElseConfiguredDefault) hands a unit its
// dependencies' mock_outputs during `plan` when a dependency has no outputs yet, and, with
// mock_outputs_merge_strategy_with_state, merges them into the outputs a dependency's state lacks. The inputs then
// reach Terraform as variables, which `terraform show -json` lists under `variables` (Terraform's JSON output format,
// "Plan Representation"). The plans below are made by the real terraform (1.11.4); only terragrunt is a fake,
// recording its argv (the flags are Terragrunt v1.1.1's documented `run --all`, `--filter '!./<unit>'` and
// `--out-dir`), and its one answer to `apply` is the last line Terraform prints on success, "Apply complete!"
// (Terraform 1.11.4, internal/command/views/apply.go, "Apply complete! Resources: ..."), which the action does not
// parse. The plans are laid out as `--json-out-dir` lays them out: <dir>/<unit path>/tfplan.json (Terragrunt
// v1.1.1 internal/component/unit.go OutputJSONFile; internal/tf/tf.go TerraformPlanJSONFile).
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { mockValues, plansOnMocks } from '../scripts/ci/mock-plans.ts';
import { FakeCli } from './lib/fake-cli.ts';
import { liveDir, repoRoot } from './lib/hcl.ts';

interface TerraformCli {
  terraformEnv: (base?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
}
const cliPath = '../scripts/lib/terraform-cli.mjs';
const cli = (await import(cliPath)) as TerraformCli;

/** `terraform show -json` of a real plan of a one-variable root module, written as <dir>/<unit>/tfplan.json. */
function realPlan(dir: string, unit: string, subnetIds: string[]): void {
  const work = mkdtempSync(join(tmpdir(), 'mock-plan-root-'));
  try {
    writeFileSync(join(work, 'main.tf'), 'variable "subnet_ids" {\n  type = list(string)\n}\n\noutput "subnets" {\n  value = var.subnet_ids\n}\n');
    const env = { ...cli.terraformEnv(), TF_VAR_subnet_ids: JSON.stringify(subnetIds) };
    execFileSync('terraform', ['init', '-input=false', '-no-color'], { cwd: work, env, stdio: 'pipe' });
    execFileSync('terraform', ['plan', '-input=false', '-no-color', '-out=plan.bin'], { cwd: work, env, stdio: 'pipe' });
    const json = execFileSync('terraform', ['show', '-json', 'plan.bin'], { cwd: work, env, maxBuffer: 16 * 1024 * 1024 });
    mkdirSync(join(dir, unit), { recursive: true });
    writeFileSync(join(dir, unit, 'tfplan.json'), json);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Mock values must never equal a real value, or a real plan would be refused (or a mock one let through):
// each names itself a mock, or is an id no real resource has (all-zero AWS ids, the all-zero KMS key id), or an
// address reserved for documentation (RFC 5737, TEST-NET-3 203.0.113.0/24).
const UNMISTAKABLE = [/mock/i, /^(subnet|sg|vpc)-0+\d$/, /:key\/0{8}-0{4}-0{4}-0{4}-0{12}$/, /^203\.0\.113\.\d{1,3}$/];

test('every mock output of the live tree is unmistakable for a real value', async (t) => {
  const mocks = await mockValues(liveDir);
  t.true(mocks.size >= 10, `found ${mocks.size} mock values`);
  for (const value of mocks) t.true(UNMISTAKABLE.some((pattern) => pattern.test(value)), `mock value ${value} could be a real one`);
});

test('mock-plans finds the units whose real terraform plan got a mock output, and only those', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mock-plans-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  realPlan(dir, 'rds', ['subnet-00000000000000001', 'subnet-00000000000000002']);
  realPlan(dir, 'network-consumer', ['subnet-0a1b2c3d4e5f60718']);
  const found = plansOnMocks(dir, await mockValues(liveDir));
  t.deepEqual(found, [{ unit: 'rds', variables: [{ name: 'subnet_ids', mock: 'subnet-00000000000000001' }] }]);
});

test('the infra apply leaves out the units planned on mocks and fails naming them (terragrunt-stack action)', async (t) => {
  const action = parseYaml(readFileSync(join(repoRoot, '.github', 'actions', 'terragrunt-stack', 'action.yml'), 'utf8')) as { runs: { steps: { name?: string; run?: string; if?: string }[] } };
  const apply = action.runs.steps.find((step) => step.if === "inputs.apply == 'true'" && /apply/.test(step.run ?? ''));
  t.truthy(apply, 'the apply step');
  const temp = mkdtempSync(join(tmpdir(), 'mock-plans-runner-'));
  t.teardown(() => rmSync(temp, { recursive: true, force: true }));
  realPlan(join(temp, 'plan', 'json'), 'network', ['subnet-0a1b2c3d4e5f60718']);
  realPlan(join(temp, 'plan', 'json'), 'rds', ['subnet-00000000000000001']);
  const fake = new FakeCli(['terragrunt'], [{ tool: 'terragrunt', match: ['apply'], answers: [{ stdout: 'Apply complete!\n' }] }]);
  t.teardown(() => rmSync(fake.dir, { recursive: true, force: true }));
  const script = join(temp, 'apply.sh');
  writeFileSync(script, apply!.run!);
  // GitHub runs a composite step's `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd: repoRoot,
    env: { ...process.env, PATH: `${fake.binDir}:${process.env.PATH ?? ''}`, FAKE_CLI_DIR: fake.dir, RUNNER_TEMP: temp, STACK_DIR: 'terragrunt/live/nonprod/eu-west-1/dev' },
    encoding: 'utf8',
  });
  t.not(result.status, 0, 'the step fails while a unit was left out');
  t.regex(result.stdout + result.stderr, /rds/);
  const calls = fake.calls().filter((call) => call.tool === 'terragrunt');
  t.is(calls.length, 1);
  const argv = calls[0]!.argv;
  t.deepEqual(argv.slice(0, 2), ['run', '--all']);
  t.true(argv.includes('!./rds'), `rds is filtered out: ${argv.join(' ')}`);
  t.false(argv.some((arg) => arg.includes('network')), 'network is applied');
  t.deepEqual(argv.slice(-3), ['--', 'apply', '-input=false']);
});

// The apply leaves units out with Terragrunt's filter (terragrunt v1.1.1 docs, "Filters": `--filter '!./<path>'`
// excludes a unit), and architecture/CI_CD.md must name what the action runs. Detection is exact equality: a plan
// variable counts as planned on mocks only when one of its strings equals a mock value of the live tree (no
// substring or pattern match), which is why every mock value must be unmistakable (test above).
test('architecture/CI_CD.md names the exclusion the terragrunt-stack action uses', (t) => {
  const action = readFileSync(join(repoRoot, '.github', 'actions', 'terragrunt-stack', 'action.yml'), 'utf8');
  const doc = readFileSync(join(repoRoot, 'architecture', 'CI_CD.md'), 'utf8');
  t.true(action.includes('--filter "!./$unit"'));
  t.true(doc.includes("--filter '!./<unit>'"));
  for (const flag of ['--queue-exclude-dir', '--terragrunt-exclude-dir']) t.is(doc.includes(flag), action.includes(flag), flag);
});
