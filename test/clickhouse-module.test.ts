// The clickhouse-cloud module needs the ClickHouse/clickhouse provider, which this machine cannot install, so
// `terraform validate/test` skip it here (scripts/test-iac.mjs). These checks run everywhere instead: formatting,
// parsing with the real HCL parser, the wiring into clickhouse-privatelink, and the contract its callers rely on.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFiles, liveDir, moduleInterface, modulesDir, parseHclFile, parseModule, type HclJson } from './lib/hcl.ts';

const moduleDir = join(modulesDir, 'clickhouse-cloud');
const privatelinkDir = join(modulesDir, 'clickhouse-privatelink');

// What the live tree's clickhouse unit passes and what other units read (README "Usage").
const callerInputs = ['name', 'region', 'ip_access', 'password_hash', 'min_replica_memory_gb', 'max_replica_memory_gb', 'idle_scaling', 'enable_private_link', 'vpc_id', 'subnet_ids', 'security_group_ids', 'tags'];
const callerOutputs = ['service_id', 'https_url', 'private_dns_hostname', 'endpoint_service_id', 'vpc_endpoint_id'];

const only = <T>(blocks: T[] | undefined, what: string): T => {
  if (!blocks || blocks.length !== 1) throw new Error(`expected exactly one ${what}`);
  return blocks[0]!;
};

/** Names of `var.x` references in an HCL-JSON value. */
const referencedVariables = (value: unknown): string[] => [...JSON.stringify(value).matchAll(/\bvar\.([A-Za-z0-9_]+)/g)].map((match) => match[1]!);

// fmt needs no providers, hence no CLI config.
test('clickhouse-cloud is terraform fmt clean', (t) => {
  const result = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', '-no-color', moduleDir], { env: { ...process.env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8' });
  t.is(result.error, undefined, 'terraform must be on PATH');
  t.is(result.status, 0, `terraform fmt -check failed:\n${result.stdout}${result.stderr}`);
});

test('the module has the standard files and parses', async (t) => {
  for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md']) t.true(existsSync(join(moduleDir, file)), `${file} missing`);
  const module = await parseModule(moduleDir);
  t.truthy(module.resource?.clickhouse_service?.this, 'clickhouse_service.this must exist');
});

test('providers are pinned: ClickHouse/clickhouse ~> 3, hashicorp/aws >= 5.100 < 7, Terraform >= 1.11', async (t) => {
  const module = await parseModule(moduleDir);
  const settings = only<HclJson>(module.terraform, 'terraform block');
  const providers = only<HclJson>(settings.required_providers, 'required_providers block');
  t.is(providers.clickhouse?.source, 'ClickHouse/clickhouse');
  t.regex(providers.clickhouse?.version ?? '', /^~>\s*3(\.\d+){0,2}$/);
  t.is(providers.aws?.source, 'hashicorp/aws');
  t.is(providers.aws?.version, '>= 5.100, < 7.0');
  t.is(settings.required_version, '>= 1.11');
});

// Updated for issue 12 item 2: the provider needs a password argument on every run (service.go v3.25.3,
// AtLeastOneOf/AlsoRequires), so the module sends password_hash (test/first-contact-modules.test.ts pins the facts).
test('the password reaches ClickHouse only as password_hash from a sensitive variable', async (t) => {
  const module = await parseModule(moduleDir);
  const service = only<HclJson>(module.resource.clickhouse_service.this, 'clickhouse_service.this');
  t.is(service.password_hash, '${var.password_hash}');
  const hash = only<HclJson>(module.variable.password_hash, 'variable password_hash');
  t.true(hash.sensitive, 'password_hash must be sensitive');
  // No module text may spell the plain password attributes, in any block.
  const text = readdirSync(moduleDir).filter((name) => name.endsWith('.tf')).map((name) => readFileSync(join(moduleDir, name), 'utf8')).join('\n');
  t.notRegex(text, /^\s*(password|password_wo|password_wo_version|double_sha1_password_hash)\s*=/m);
});

test('ip_access is an input that defaults to private only', async (t) => {
  const module = await parseModule(moduleDir);
  const service = only<HclJson>(module.resource.clickhouse_service.this, 'clickhouse_service.this');
  t.is(service.ip_access, '${var.ip_access}');
  const ipAccess = only<HclJson>(module.variable.ip_access, 'variable ip_access');
  t.deepEqual(ipAccess.default, []);
  t.true(JSON.stringify(ipAccess.validation).includes('0.0.0.0'), 'ip_access must refuse 0.0.0.0/0');
});

test('private link uses the endpoints attachment and never the deprecated registration', async (t) => {
  const module = await parseModule(moduleDir);
  for (const file of findFiles(moduleDir, (name) => name.endsWith('.tf') || name.endsWith('.tftest.hcl'))) {
    t.notRegex(readFileSync(file, 'utf8'), /(resource|data)\s+"clickhouse_private_endpoint_registration"/, `${file} uses the deprecated registration`);
  }
  t.is(module.resource.clickhouse_private_endpoint_registration, undefined);
  const attachment = only<HclJson>(module.resource.clickhouse_service_private_endpoints_attachment?.this, 'attachment');
  t.is(attachment.count, '${var.enable_private_link ? 1 : 0}');
  t.is(attachment.service_id, '${clickhouse_service.this.id}');
  t.deepEqual(attachment.private_endpoint_ids, ['${module.privatelink[0].vpc_endpoint_id}']);
});

test('the privatelink call matches clickhouse-privatelink: every argument is a variable, every required one is passed', async (t) => {
  const module = await parseModule(moduleDir);
  const call = only<HclJson>(module.module?.privatelink, 'module privatelink');
  t.is(call.source, '../clickhouse-privatelink');
  t.is(call.count, '${var.enable_private_link ? 1 : 0}');
  t.is(call.endpoint_service_id, '${clickhouse_service.this.private_endpoint_config.endpoint_service_id}');
  t.is(call.private_dns_hostname, '${clickhouse_service.this.private_endpoint_config.private_dns_hostname}');
  const submodule = await moduleInterface(privatelinkDir);
  const passed = Object.keys(call).filter((name) => !['source', 'count', 'providers', 'depends_on'].includes(name));
  for (const name of passed) t.true(submodule.variables.has(name), `clickhouse-privatelink has no variable ${name}`);
  for (const [name, variable] of submodule.variables) if (variable.required) t.true(passed.includes(name), `required ${name} not passed`);
  const used = [...JSON.stringify(module).matchAll(/module\.privatelink\[0\]\.([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
  for (const name of used) t.true(submodule.outputs.has(name), `clickhouse-privatelink has no output ${name}`);
});

test('the caller contract: inputs and outputs exist, every variable is typed and described, every output described', async (t) => {
  const module = await parseModule(moduleDir);
  const { variables, outputs } = await moduleInterface(moduleDir);
  for (const name of callerInputs) t.true(variables.has(name), `variable ${name} missing`);
  for (const name of callerOutputs) t.true(outputs.has(name), `output ${name} missing`);
  for (const [name, blocks] of Object.entries<HclJson[]>(module.variable)) {
    const variable = only(blocks, `variable ${name}`);
    t.truthy(variable.type, `variable ${name} has no type`);
    t.true((variable.description ?? '').length > 10, `variable ${name} has no description`);
  }
  for (const [name, blocks] of Object.entries<HclJson[]>(module.output)) t.true((only(blocks, `output ${name}`).description ?? '').length > 10, `output ${name} has no description`);
  t.is(only<HclJson>(module.output.private_dns_hostname, 'output').value, '${clickhouse_service.this.private_endpoint_config.private_dns_hostname}');
  t.is(only<HclJson>(module.output.endpoint_service_id, 'output').value, '${clickhouse_service.this.private_endpoint_config.endpoint_service_id}');
});

test('the live tree passes only declared inputs and reads only declared outputs', async (t) => {
  const { variables, outputs } = await moduleInterface(moduleDir);
  const unit = join(liveDir, '_envcommon', 'clickhouse.hcl');
  if (existsSync(unit)) {
    const inputs = only<HclJson>([(await parseHclFile(unit)).inputs].filter(Boolean) as HclJson[], 'inputs in _envcommon/clickhouse.hcl');
    for (const name of Object.keys(inputs)) t.true(variables.has(name), `_envcommon/clickhouse.hcl passes unknown input ${name}`);
    for (const [name, variable] of variables) if (variable.required) t.true(name in inputs, `_envcommon/clickhouse.hcl does not pass required ${name}`);
  }
  // Any unit that depends on the clickhouse unit must read outputs the module has.
  for (const file of findFiles(liveDir, (name) => name.endsWith('.hcl'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/dependency\.clickhouse\.outputs\.([A-Za-z0-9_]+)/g)) {
      t.true(outputs.has(match[1]!), `${file} reads clickhouse output ${match[1]} that the module does not have`);
    }
  }
});

test('terraform tests exist for CI with registry access and trip every validated variable', async (t) => {
  const module = await parseModule(moduleDir);
  const testFiles = findFiles(join(moduleDir, 'tests'), (name) => name.endsWith('.tftest.hcl'));
  t.true(testFiles.length > 0);
  const parsed = await Promise.all(testFiles.map((file) => parseHclFile(file)));
  const mocked = new Set(parsed.flatMap((file) => Object.keys(file.mock_provider ?? {})));
  t.true(mocked.has('clickhouse') && mocked.has('aws'), 'tests must mock both providers');
  const runs = parsed.flatMap((file) => Object.values<HclJson[]>(file.run ?? {}).map((blocks) => blocks[0]!));
  t.true(runs.every((run) => run.command === '${plan}'), 'every run is a plan: no credentials needed');
  const tripped = new Set(runs.flatMap((run) => referencedVariables(run.expect_failures ?? [])));
  const validated = Object.entries<HclJson[]>(module.variable).filter(([, blocks]) => blocks[0]?.validation).map(([name]) => name);
  for (const name of validated) t.true(tripped.has(name), `no run trips the validation of ${name}`);
});
