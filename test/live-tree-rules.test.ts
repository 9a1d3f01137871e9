// Each live-tree rule (test/lib/live-tree-checks.ts) shown able to fail: a small good tree passes every rule, and
// each mutation below breaks exactly one thing and must be reported under that rule.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkLiveTree, RULES, type Rule } from './lib/live-tree-checks.ts';

const UNIT = (module: string, extra = '') => `include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "\${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/${module}.hcl"
}

terraform {
  source = "../../../../../modules//${module}"
}
${extra}`;

const NET = `locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  name = "net-\${local.env.env}"
}
`;

const APP = `dependency "net" {
  config_path = "\${get_terragrunt_dir()}/../net"
  mock_outputs = {
    vpc_id = "vpc-1"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name   = "app"
  vpc_id = dependency.net.outputs.vpc_id
}
`;

const GOOD: Record<string, string> = {
  'root.hcl': 'locals {\n  project = "fixture"\n}\n',
  'modules/net/variables.tf': 'variable "name" {\n  type = string\n}\n\nvariable "cidr" {\n  type    = string\n  default = "10.0.0.0/16"\n}\n',
  'modules/net/outputs.tf': 'output "vpc_id" {\n  value = "x"\n}\n\noutput "subnet_ids" {\n  value = []\n}\n',
  'modules/app/variables.tf': 'variable "name" {\n  type = string\n}\n\nvariable "vpc_id" {\n  type = string\n}\n\nvariable "subnet_ids" {\n  type    = list(string)\n  default = []\n}\n',
  'modules/app/outputs.tf': 'output "url" {\n  value = "x"\n}\n',
  'live/_envcommon/net.hcl': NET,
  'live/_envcommon/app.hcl': APP,
  'live/acct/account.hcl': 'locals {\n  account_id = "111111111111"\n}\n',
  'live/acct/r1/region.hcl': 'locals {\n  aws_region = "eu-west-1"\n}\n',
  'live/acct/r1/one/env.hcl': 'locals {\n  env = "one"\n}\n',
  'live/acct/r1/two/env.hcl': 'locals {\n  env = "two"\n}\n',
  'live/acct/r1/one/net/terragrunt.hcl': UNIT('net'),
  'live/acct/r1/one/app/terragrunt.hcl': UNIT('app'),
  'live/acct/r1/two/net/terragrunt.hcl': UNIT('net'),
  'live/acct/r1/two/app/terragrunt.hcl': UNIT('app'),
};

type Files = Record<string, string | undefined>;

async function check(files: Files, fmt = false) {
  const dir = mkdtempSync(join(tmpdir(), 'live-tree-fixture-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      if (text === undefined) continue;
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return await checkLiveTree({ terragruntDir: dir, fmt });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const edit = (path: string, from: string, to: string): Files => ({ ...GOOD, [path]: GOOD[path]!.replace(from, to) });

test('the good fixture passes every rule, formatting included', async (t) => {
  const { violations, checks } = await check(GOOD, true);
  t.deepEqual(violations, []);
  t.true(checks > 30);
});

const cases: Array<[Rule, string, Files, boolean?]> = [
  ['parse', 'a unit file with an unclosed block', { ...GOOD, 'live/acct/r1/one/app/terragrunt.hcl': 'inputs = {\n' }],
  ['fmt', 'an unaligned attribute', edit('live/_envcommon/net.hcl', 'name = ', 'name   =   '), true],
  ['include', 'an include of a missing envcommon file', edit('live/acct/r1/two/net/terragrunt.hcl', '_envcommon/net.hcl', '_envcommon/nett.hcl')],
  ['source', 'a source pointing to a missing module', edit('live/acct/r1/one/app/terragrunt.hcl', 'modules//app', 'modules//ap')],
  ['unknown-input', 'an input the module does not declare', edit('live/_envcommon/net.hcl', 'inputs = {', 'inputs = {\n  bogus = 1')],
  ['missing-input', 'a required variable left out', edit('live/_envcommon/app.hcl', '  name   = "app"\n', '')],
  ['input-eval', 'an input reading an env.hcl local that does not exist', edit('live/_envcommon/net.hcl', 'local.env.env', 'local.env.envv')],
  ['dependency-path', 'a dependency on a folder that is not a unit', edit('live/_envcommon/app.hcl', '/../net"', '/../network"')],
  ['dependency-path', 'a dependencies.paths entry that is not a unit', edit('live/_envcommon/app.hcl', 'inputs = {', 'dependencies {\n  paths = ["${get_terragrunt_dir()}/../db"]\n}\n\ninputs = {')],
  ['cycle', 'net ordered after app through dependencies.paths', edit('live/_envcommon/net.hcl', 'inputs = {', 'dependencies {\n  paths = ["${get_terragrunt_dir()}/../app"]\n}\n\ninputs = {')],
  ['cycle', 'net depending back on app', edit('live/_envcommon/net.hcl', 'inputs = {', 'dependency "app" {\n  config_path                             = "${get_terragrunt_dir()}/../app"\n  mock_outputs_allowed_terraform_commands = ["plan"]\n}\n\ninputs = {')],
  ['mock-key', 'a mock for an output the module lacks', edit('live/_envcommon/app.hcl', 'vpc_id = "vpc-1"', 'vpc_id = "vpc-1"\n    vpc = "vpc-1"')],
  ['mock-commands', 'mocks allowed for apply', edit('live/_envcommon/app.hcl', '["validate", "plan"]', '["validate", "plan", "apply"]')],
  ['mock-commands', 'no mock_outputs_allowed_terraform_commands at all', edit('live/_envcommon/app.hcl', '  mock_outputs_allowed_terraform_commands = ["validate", "plan"]\n', '')],
  ['mock-coverage', 'an output read without a mock', edit('live/_envcommon/app.hcl', 'inputs = {', 'inputs = {\n  subnet_ids = dependency.net.outputs.subnet_ids')],
  ['output-ref', 'a reference to an output the module lacks', edit('live/_envcommon/app.hcl', 'outputs.vpc_id', 'outputs.vpc')],
  ['output-ref', 'a reference to an undeclared dependency', edit('live/_envcommon/app.hcl', 'dependency.net.outputs.vpc_id', 'dependency.db.outputs.vpc_id')],
  ['symmetry', 'an environment missing a unit', { ...GOOD, 'live/acct/r1/two/app/terragrunt.hcl': undefined }],
];

for (const [rule, description, files, fmt] of cases) {
  test(`rule "${rule}" (${RULES[rule]}) fails on: ${description}`, async (t) => {
    const { violations } = await check(files, fmt ?? false);
    const rules = violations.map((violation) => violation.rule);
    t.true(rules.includes(rule), `expected a "${rule}" violation, got ${JSON.stringify(violations, null, 2)}`);
  });
}

test('every rule has a failing fixture', (t) => {
  const covered = new Set(cases.map(([rule]) => rule));
  t.deepEqual(Object.keys(RULES).filter((rule) => !covered.has(rule as Rule)), []);
});
