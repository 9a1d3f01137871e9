// The live tree's own conventions, which no tool knows, checked against what the real Terragrunt renders for each
// unit (`terragrunt render --format json`, test/lib/terragrunt.ts). What Terragrunt itself checks (formatting,
// parsing, includes, sources, unknown and missing inputs, dependency paths, cycles) is in
// test/live-tree-terragrunt.test.ts. The rendered shapes (inputs, dependency blocks with their mock_outputs, exclude)
// are Terragrunt v1.1.1's (pkg/config/config_as_cty.go; see test/lib/terragrunt.ts). The one made-up value, the SNS
// topic ARN built below, has the documented form arn:aws:sns:<region>:<account-id>:<topic name> (Amazon SNS
// Developer Guide, "Amazon SNS resource ARNs").
import test from 'ava';
import { parse } from '@cdktf/hcl2json';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { configVariables } from '../app/src/config/index.ts';
import { findFiles, moduleInterface, modulesDir, parseHclFile, repoRoot } from './lib/hcl.ts';
import { readContractTable } from './lib/contract-table.ts';
import { renderUnit, type RenderedUnit } from './lib/terragrunt.ts';

const terragruntDir = join(repoRoot, 'terragrunt');
const liveDir = join(terragruntDir, 'live');
const ENVIRONMENTS = ['nonprod/eu-west-1/dev', 'nonprod/eu-west-1/staging', 'prod/eu-west-1/prod'];
const ENV_UNITS = ['alarms', 'app', 'app-ecs', 'clickhouse', 'network', 'rds', 'secrets'];
const GLOBAL_UNITS = ['ecr', 'github-oidc', 'state-backend'];
const ALL_UNITS = [
  ...ENVIRONMENTS.flatMap((env) => ENV_UNITS.map((unit) => `${env}/${unit}`)),
  ...['nonprod', 'prod'].flatMap((account) => GLOBAL_UNITS.map((unit) => `${account}/_global/${unit}`)),
].sort();

/** Every unit folder (holding terragrunt.hcl) under live/, relative to it. */
function unitsOnDisk(dir = liveDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.startsWith('_envcommon'))
    .flatMap((entry) => (existsSync(join(dir, entry.name, 'terragrunt.hcl')) ? [relative(liveDir, join(dir, entry.name))] : unitsOnDisk(join(dir, entry.name))))
    .sort();
}

/** Renders every unit, three at a time (each render is one Terragrunt process). */
async function renderAll(): Promise<Map<string, RenderedUnit>> {
  const result = new Map<string, RenderedUnit>();
  const queue = [...ALL_UNITS];
  await Promise.all([1, 2, 3].map(async () => {
    for (let unit = queue.shift(); unit; unit = queue.shift()) result.set(unit, await renderUnit(unit));
  }));
  return result;
}
const all = renderAll();
// Fail the test that awaits it, not the process.
all.catch(() => undefined);

const envLocals = async (env: string) => (await parseHclFile(join(liveDir, env, 'env.hcl'))).locals[0] as Record<string, unknown>;
const accountId = async (account: string) => String((await parseHclFile(join(liveDir, account, 'account.hcl'))).locals[0].account_id);
/** The unit of the live tree a rendered dependency's config_path points at. */
const unitOf = (configPath: string) => relative(liveDir, resolve(configPath));
/** The module folder under terragrunt/modules a rendered unit's terraform.source names. */
const moduleOf = (rendered: RenderedUnit) => String(rendered.terraform?.source ?? '').split('//').pop()!;

test('the tree holds every unit in every environment and every _global unit in both accounts', (t) => {
  t.deepEqual(unitsOnDisk(), ALL_UNITS);
});

test('a unit file is the same text in every environment: differences live in env.hcl', (t) => {
  for (const unit of ENV_UNITS) {
    const texts = new Set(ENVIRONMENTS.map((env) => readFileSync(join(liveDir, env, unit, 'terragrunt.hcl'), 'utf8')));
    t.is(texts.size, 1, `${unit}/terragrunt.hcl differs between environments`);
  }
  for (const unit of GLOBAL_UNITS) {
    const texts = new Set(['nonprod', 'prod'].map((account) => readFileSync(join(liveDir, account, '_global', unit, 'terragrunt.hcl'), 'utf8')));
    t.is(texts.size, 1, `_global/${unit}/terragrunt.hcl differs between accounts`);
  }
});

test('every env.hcl defines the same settings, and so does every account.hcl', async (t) => {
  for (const name of ['env.hcl', 'account.hcl', 'region.hcl']) {
    const files = findFiles(liveDir, (file) => file === name);
    t.true(files.length > 0);
    const keySets = await Promise.all(files.map(async (file) => Object.keys((await parseHclFile(file)).locals[0]).sort().join(',')));
    t.is(new Set(keySets).size, 1, `${name} files define different locals: ${files.map((file) => relative(liveDir, file)).join(', ')}`);
  }
});

/** The account ID and region a unit deploys to, from its folder: account.hcl, and region.hcl or the home region. */
async function unitPlace(unit: string): Promise<{ accountId: string; region: string; env: string }> {
  const [account, regionOrGlobal, env] = unit.split('/');
  const locals = (await parseHclFile(join(liveDir, account!, 'account.hcl'))).locals[0] as Record<string, string>;
  if (regionOrGlobal === '_global') return { accountId: locals.account_id!, region: locals.home_region!, env: 'global' };
  const region = (await parseHclFile(join(liveDir, account!, regionOrGlobal!, 'region.hcl'))).locals[0].aws_region as string;
  return { accountId: locals.account_id!, region, env: env! };
}

/** A `generate` block as rendered (Terragrunt v1.1.1, codegen.GenerateConfig): its file and contents. */
interface RenderedGenerate { path: string; contents: string }
const generated = (config: RenderedUnit, name: string) => (config.generate as Record<string, RenderedGenerate> | undefined)?.[name];

// Both rules below read what Terragrunt renders for every unit, not root.hcl's text: root.hcl builds remote_state
// with merge() and the provider from locals, and only the rendered values say what each unit really gets.
test('root.hcl renders S3 state per account and region for every unit: encrypted with the state key, native lock file, key from the unit path', async (t) => {
  for (const [unit, config] of await all) {
    const { accountId, region } = await unitPlace(unit);
    const bucket = `acme-auth-tfstate-${accountId}-${region}`;
    t.is(config.remote_state?.backend, 's3', unit);
    t.deepEqual(config.remote_state?.config, {
      bucket,
      key: `live/${unit}/terraform.tfstate`,
      region,
      encrypt: true,
      // Without kms_key_id the S3 backend writes state with SSE-S3, bypassing the state key (root.hcl).
      kms_key_id: `arn:aws:kms:${region}:${accountId}:alias/terraform-state/${bucket}`,
      // Native S3 locking (Terraform >= 1.10): no dynamodb_table.
      use_lockfile: true,
    }, unit);
    t.is(config.remote_state?.generate?.path, 'backend.tf', unit);
  }
});

test('root.hcl renders for every unit a provider pinned to its account and region with the six default tags; versions go to an override file', async (t) => {
  for (const [unit, config] of await all) {
    const { accountId, region, env } = await unitPlace(unit);
    const provider = generated(config, 'provider');
    t.is(provider?.path, 'provider.tf', unit);
    const [aws] = (await parse('provider.tf', provider?.contents ?? '')).provider?.aws ?? [];
    t.is(aws?.region, region, unit);
    t.deepEqual(aws?.allowed_account_ids, [accountId], unit);
    t.deepEqual(aws?.default_tags?.[0]?.tags, {
      project: 'auth-platform', account: unit.split('/')[0], env, unit: unit.split('/').pop(), 'managed-by': 'terragrunt', repo: 'acme/auth-platform',
    }, unit);
    const versions = generated(config, 'versions');
    // A plain versions.tf would clash with the modules' own required_providers; an override file merges instead.
    t.regex(versions?.path ?? '', /_override\.tf$/, unit);
    const [terraform] = (await parse('versions_override.tf', versions?.contents ?? '')).terraform ?? [];
    t.is(terraform?.required_version, '>= 1.11.0, < 2.0.0', unit);
    t.deepEqual(terraform?.required_providers?.[0]?.aws, { source: 'hashicorp/aws', version: '~> 5.100.0' }, unit);
  }
  const names = Object.values(((await all).get('prod/eu-west-1/prod/rds')!.generate ?? {}) as Record<string, RenderedGenerate>).map((block) => block.path);
  t.true(names.length >= 2, names.join(', '));
  for (const file of findFiles(modulesDir, (name) => [...names, 'backend.tf'].includes(name))) {
    t.fail(`${relative(repoRoot, file)} would be overwritten by a file root.hcl generates`);
  }
});

test('every dependency allows its mocks for exactly validate and plan (DESIGN.md), never apply or destroy', async (t) => {
  let dependencies = 0;
  for (const [unit, rendered] of await all) {
    for (const [name, dependency] of Object.entries(rendered.dependency ?? {})) {
      dependencies++;
      t.deepEqual(dependency.mock_outputs_allowed_terraform_commands, ['validate', 'plan'], `${unit}: dependency "${name}"`);
    }
  }
  t.true(dependencies >= 15, `${dependencies} dependencies rendered`);
});

test('every mock output is an output of the dependency\'s module, and every dependency is a unit of the tree', async (t) => {
  const rendered = await all;
  let mocks = 0;
  for (const [unit, config] of rendered) {
    for (const [name, dependency] of Object.entries(config.dependency ?? {})) {
      const target = rendered.get(unitOf(dependency.config_path));
      if (!target) {
        t.fail(`${unit}: dependency "${name}" points at ${unitOf(dependency.config_path)}, not a unit of the tree`);
        continue;
      }
      const outputs = new Set((await moduleInterface(join(modulesDir, moduleOf(target)))).outputs);
      for (const key of Object.keys(dependency.mock_outputs ?? {})) {
        mocks++;
        t.true(outputs.has(key), `${unit}: dependency "${name}" mocks "${key}", which module ${moduleOf(target)} does not output`);
      }
    }
  }
  t.true(mocks >= 20, `${mocks} mock outputs checked`);
});

test('each environment runs exactly the app unit of its compute_target (plus the retiring one): the other is excluded', async (t) => {
  const rendered = await all;
  const target = { app: 'apprunner', 'app-ecs': 'ecs-fargate' } as const;
  for (const env of ENVIRONMENTS) {
    const locals = await envLocals(env);
    const running = [String(locals.compute_target), ...(locals.compute_targets_retiring as string[])];
    for (const [unit, name] of Object.entries(target)) {
      const exclude = rendered.get(`${env}/${unit}`)!.exclude;
      t.is(exclude?.if, !running.includes(name), `${env}/${unit}: exclude.if`);
      t.deepEqual(exclude?.actions, ['all'], `${env}/${unit}: exclude.actions`);
    }
  }
});

test('app units: image_tag comes from IMAGE_TAG, with the documented placeholder default; apply refuses an unset IMAGE_TAG', async (t) => {
  for (const unit of ['app', 'app-ecs']) {
    const path = `nonprod/eu-west-1/dev/${unit}`;
    // apprunner-service takes image_tag; ecs-fargate-service takes the digest, and the tag is the SERVICE_VERSION.
    const tag = (rendered: RenderedUnit) => unit === 'app' ? rendered.inputs.image_tag : (rendered.inputs.runtime_environment_variables as Record<string, unknown>).SERVICE_VERSION;
    t.is(tag(await renderUnit(path, { IMAGE_TAG: 'abc1234' })), 'abc1234', path);
    const placeholder = (await all).get(path)!;
    t.is(tag(placeholder), '0000000', path);
    const hooks = Object.values(placeholder.terraform?.before_hook ?? {});
    const guard = hooks.find((hook) => hook.execute.join(' ').includes('test -n "$IMAGE_TAG"'));
    t.deepEqual(guard?.commands, ['apply'], `${path}: a before_hook refuses apply without IMAGE_TAG`);
  }
  t.true(readFileSync(join(terragruntDir, 'README.md'), 'utf8').includes('get_env("IMAGE_TAG", "0000000")'), 'README documents the default');
});

// Config variables deliberately not deployed, per compute target, with the reason.
const NOT_DEPLOYED: Record<string, Record<string, string>> = {
  // PORT: reserved by App Runner, which sets it from the service's port (issue 12 item 7; apprunner-service refuses it).
  app: {
    PORT: 'set by App Runner from port',
    HOST: 'unset means every interface, which App Runner needs; only npm run dev narrows it to 127.0.0.1',
  },
  'app-ecs': {
    HOST: 'unset means every interface, which the ALB target needs; only npm run dev narrows it to 127.0.0.1',
  },
};

test('app units: every app config variable is set, secrets only through runtime_environment_secrets', async (t) => {
  const rendered = await all;
  // A non-secret may come from Secrets Manager too, where the contract says so (CLICKHOUSE_USER: it must switch
  // with the password); a secret never comes from anywhere else.
  const fromSecretsManager = new Set(readContractTable().rows.filter((row) => row.appRunner.kind === 'secret').map((row) => row.name));
  // Variables the contract says are not set on the compute target (e.g. ARGON2_CONCURRENCY: the instance's vCPUs).
  const notSet = new Set(readContractTable().rows.filter((row) => row.appRunner.kind === 'not set').map((row) => row.name));
  const known = new Set(configVariables.map((variable) => variable.name as string));
  for (const env of ENVIRONMENTS) {
    for (const unit of ['app', 'app-ecs']) {
      const { inputs } = rendered.get(`${env}/${unit}`)!;
      const plain = inputs.runtime_environment_variables as Record<string, string>;
      const secret = inputs.runtime_environment_secrets as Record<string, string>;
      for (const variable of configVariables) {
        if (variable.name in NOT_DEPLOYED[unit]! || notSet.has(variable.name)) continue;
        const injected = variable.secret || fromSecretsManager.has(variable.name);
        const where = injected ? secret : plain;
        t.true(variable.name in where, `${env}/${unit}: ${variable.name} missing from runtime_environment_${injected ? 'secrets' : 'variables'}`);
        t.false(variable.name in plain && variable.name in secret, `${env}/${unit}: ${variable.name} in both`);
        t.false(variable.secret && variable.name in plain, `${env}/${unit}: secret ${variable.name} passed as a plain variable`);
      }
      t.deepEqual([...Object.keys(plain), ...Object.keys(secret)].filter((name) => !known.has(name)), [], `${env}/${unit}: names the app does not read`);
    }
  }
});

test('secrets unit: the reader role is the role of the environment\'s compute target, by the name its module gives it', async (t) => {
  const rendered = await all;
  // apprunner-service names the instance role "<name>-apprunner-instance", ecs-fargate-service the task execution
  // role "<name>-ecs-execution"; if either changes, this convention must change with it.
  t.regex(readFileSync(join(modulesDir, 'apprunner-service', 'iam.tf'), 'utf8'), /name\s+= "\$\{var\.name\}-apprunner-instance"/);
  t.regex(readFileSync(join(modulesDir, 'ecs-fargate-service', 'iam.tf'), 'utf8'), /name\s+= "\$\{var\.name\}-ecs-execution"/);
  const role = { apprunner: { unit: 'app', suffix: 'apprunner-instance' }, 'ecs-fargate': { unit: 'app-ecs', suffix: 'ecs-execution' } };
  for (const env of ENVIRONMENTS) {
    const locals = await envLocals(env);
    const targets = [String(locals.compute_target), ...(locals.compute_targets_retiring as string[])] as Array<keyof typeof role>;
    const account = await accountId(env.split('/')[0]!);
    const expected = targets.map((target) => `arn:aws:iam::${account}:role/${String(rendered.get(`${env}/${role[target].unit}`)!.inputs.name)}-${role[target].suffix}`);
    t.deepEqual(rendered.get(`${env}/secrets`)!.inputs.reader_role_arns, expected, env);
  }
});

test('app units: their alarms notify the environment\'s alarms unit, whose topic is KMS-encrypted', async (t) => {
  const rendered = await all;
  t.regex(readFileSync(join(modulesDir, 'alarm-topic', 'main.tf'), 'utf8'), /kms_master_key_id\s+= local\.kms_key_arn/);
  for (const env of ENVIRONMENTS) {
    const alarms = rendered.get(`${env}/alarms`)!.inputs;
    t.is(alarms.name, `auth-${env.split('/').pop()}-alarms`, env);
    // The name must be one apprunner-service accepts at the end of alarm_sns_topic_arn.
    t.regex(`arn:aws:sns:eu-west-1:111111111111:${String(alarms.name)}`, /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$/);
    for (const unit of ['app', 'app-ecs']) {
      const app = rendered.get(`${env}/${unit}`)!;
      const dependency = app.dependency?.alarms;
      t.is(dependency && unitOf(dependency.config_path), `${env}/alarms`, `${env}/${unit}`);
      // Rendered from the mock: the input is the dependency's topic_arn output, not a literal.
      t.is(app.inputs.alarm_sns_topic_arn, dependency?.mock_outputs?.topic_arn, `${env}/${unit}`);
    }
  }
});

test('restore path B of the runbook is what the rds unit and module take', async (t) => {
  const rendered = await all;
  const runbook = readFileSync(join(repoRoot, 'runbooks', 'restore-database.md'), 'utf8');
  const module = await parseHclFile(join(modulesDir, 'rds-postgres', 'variables.tf'));
  const variable = module.variable.restore_to_point_in_time[0];
  for (const field of ['source_db_instance_identifier', 'restore_time', 'use_latest_restorable_time']) {
    t.true(String(variable.type).includes(field), `module variable has ${field}`);
    t.true(runbook.includes(field), `runbook names ${field}`);
  }
  t.true(runbook.includes('db_restore_to_point_in_time'), 'runbook names the env.hcl setting');
  t.false(runbook.includes('identifier_suffix'), 'the module has no identifier_suffix');
  for (const env of ENVIRONMENTS) {
    // null normally; an object during a restore (plan:offline then checks it against the module's validations).
    const restore = rendered.get(`${env}/rds`)!.inputs.restore_to_point_in_time;
    t.deepEqual(restore, (await envLocals(env)).db_restore_to_point_in_time ?? null, `${env}: the input is env.hcl's db_restore_to_point_in_time`);
  }
});

test('the lock file policy is what the README says: .terraform.lock.hcl committed next to each unit, caches ignored', (t) => {
  const gitignore = readFileSync(join(repoRoot, '.gitignore'), 'utf8');
  t.regex(gitignore, /^\.terraform\/$/m);
  t.regex(gitignore, /^\.terragrunt-cache\/$/m);
  t.notRegex(gitignore, /\.terraform\.lock\.hcl/);
  t.regex(readFileSync(join(terragruntDir, 'README.md'), 'utf8'), /\.terraform\.lock\.hcl/);
});

test('state-backend unit creates exactly the bucket root.hcl keeps state in, in each account', async (t) => {
  const rendered = await all;
  for (const account of ['nonprod', 'prod']) {
    const unit = rendered.get(`${account}/_global/state-backend`)!;
    t.is(unit.inputs.bucket_name, unit.remote_state?.config.bucket, account);
    t.is(unit.inputs.bucket_name, `acme-auth-tfstate-${await accountId(account)}-eu-west-1`, account);
  }
});

test('github-oidc unit: one deploy role per environment folder of the account, for that environment\'s service', async (t) => {
  const rendered = await all;
  for (const account of ['nonprod', 'prod']) {
    const { inputs } = rendered.get(`${account}/_global/github-oidc`)!;
    const deploy = inputs.deploy_environments as Record<string, { apprunner_service_name: string }>;
    const envs = ENVIRONMENTS.filter((env) => env.startsWith(`${account}/`));
    t.deepEqual(Object.keys(deploy).sort(), envs.map((env) => env.split('/').pop()!).sort(), account);
    // The infra role's IAM rights cover <iam_name_prefix>-*: the names the network and app units give their roles.
    const infra = inputs.infra_environments as Record<string, { iam_name_prefix: string }>;
    t.deepEqual(Object.keys(infra).sort(), Object.keys(deploy).sort(), `${account}: one infra role per environment`);
    for (const env of envs) {
      const name = env.split('/').pop()!;
      const app = rendered.get(`${env}/app`)!.inputs;
      t.is(deploy[name]?.apprunner_service_name, app.name as string, env);
      t.is(rendered.get(`${env}/app-ecs`)!.inputs.name, app.name, `${env}: both compute targets share the name`);
      t.is(infra[name]?.iam_name_prefix, app.name as string, `${env}: infra IAM prefix is the app name`);
      t.is(rendered.get(`${env}/network`)!.inputs.name, app.name, `${env}: the network's roles share the prefix`);
    }
  }
});

// checkov cannot tell environments apart: a skip written in a module holds for every unit of it. The modules skip
// CKV_AWS_157 (RDS Multi-AZ), CKV_AWS_293 (RDS deletion protection), CKV_AWS_150 (load balancer deletion
// protection) and CKV_AWS_338 (flow logs kept a year) because non-prod turns them down on purpose (cost, a dev
// torn down and rebuilt); this rule holds prod to what the checks ask, on the inputs Terragrunt renders for it.
test('prod keeps what the per-environment checkov skips leave to the environment: Multi-AZ, deletion protection, a year of flow logs', async (t) => {
  const rendered = await all;
  const prod = (unit: string) => rendered.get(`prod/eu-west-1/prod/${unit}`)!.inputs;
  t.is(prod('rds').multi_az, true, 'CKV_AWS_157');
  t.is(prod('rds').deletion_protection, true, 'CKV_AWS_293');
  t.is(prod('app-ecs').deletion_protection, true, 'CKV_AWS_150');
  t.true(Number(prod('network').flow_logs_retention_days) >= 365, 'CKV_AWS_338');
});
