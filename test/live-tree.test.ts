// The Terragrunt live tree (terragrunt/root.hcl, terragrunt/live/**) checked without Terragrunt: every rule of
// test/lib/live-tree-checks.ts (each shown failing in live-tree-rules.test.ts), plus the tree's own conventions.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { configVariables } from '../app/src/config/index.ts';
import { findFiles, modulesDir, parseHclFile, repoRoot } from './lib/hcl.ts';
import { checkLiveTree, RULES, type Rule } from './lib/live-tree-checks.ts';
import { readContractTable } from './lib/contract-table.ts';
import { dependencyPath, evaluateInputs, HclCache, loadUnit, terragruntDir } from './lib/live-tree.ts';

const liveDir = join(terragruntDir, 'live');
const ENVIRONMENTS = ['nonprod/eu-west-1/dev', 'nonprod/eu-west-1/staging', 'prod/eu-west-1/prod'];
const ENV_UNITS = ['alarms', 'app', 'app-ecs', 'clickhouse', 'network', 'rds', 'secrets'];
const GLOBAL_UNITS = ['ecr', 'github-oidc', 'state-backend'];

// Units that may exist in some environments only, with the reason. Empty: the environments are symmetric.
const SYMMETRY_EXCEPTIONS: Record<string, string> = {};

const result = checkLiveTree({ terragruntDir, symmetryExceptions: SYMMETRY_EXCEPTIONS });
const cache = new HclCache().load(terragruntDir);

for (const rule of Object.keys(RULES) as Rule[]) {
  test(`live tree: ${RULES[rule]}`, async (t) => {
    const { violations } = await result;
    const broken = violations.filter((violation) => violation.rule === rule);
    t.deepEqual(broken, [], broken.map((violation) => `${violation.file}: ${violation.message}`).join('\n'));
  });
}

test('the tree holds every unit in every environment and every _global unit in both accounts', async (t) => {
  const { units, checks } = await result;
  const found = units.map((unit) => relative(liveDir, unit.dir)).sort();
  const expected = [
    ...ENVIRONMENTS.flatMap((env) => ENV_UNITS.map((unit) => `${env}/${unit}`)),
    ...['nonprod', 'prod'].flatMap((account) => GLOBAL_UNITS.map((unit) => `${account}/_global/${unit}`)),
  ].sort();
  t.deepEqual(found, expected);
  t.log(`${units.length} units, ${checks} rule checks`);
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

test('root.hcl: S3 state per account and region, encrypted, native lock file, key from the unit path', async (t) => {
  const root = await parseHclFile(join(terragruntDir, 'root.hcl'));
  const state = root.remote_state[0];
  t.is(state.backend, 's3');
  // config is merge({...}, local.state_key_settings) since issue 12 item 11 (kms_key_id except at bootstrap):
  // read as text; test/first-contact-live.test.ts checks what the real Terragrunt renders.
  const config = typeof state.config === 'string' ? state.config : JSON.stringify(state.config);
  t.regex(config, /encrypt\s*=\s*true/);
  t.regex(config, /use_lockfile\s*=\s*true/);
  t.notRegex(config, /dynamodb_table/);
  t.regex(config, /key\s*=\s*"\$\{path_relative_to_include\(\)\}\/terraform\.tfstate"/);
  t.is(root.locals[0].state_bucket, 'acme-auth-tfstate-${local.account.account_id}-${local.aws_region}');
  t.is(state.generate.path, 'backend.tf');
});

test('root.hcl: generated provider pins the account and sets the six default tags; versions go to an override file', async (t) => {
  const root = await parseHclFile(join(terragruntDir, 'root.hcl'));
  const provider = root.generate.provider[0].contents as string;
  t.regex(provider, /allowed_account_ids = \["\$\{local\.account\.account_id\}"\]/);
  t.regex(provider, /region\s+= "\$\{local\.aws_region\}"/);
  for (const tag of ['project', 'account', 'env', 'unit', '"managed-by"', 'repo']) t.regex(provider, new RegExp(`\\n\\s+${tag}\\s+=`), tag);
  const versions = root.generate.versions[0];
  // A plain versions.tf would clash with the modules' own required_providers; an override file merges instead.
  t.regex(versions.path, /_override\.tf$/);
  t.regex(versions.contents, /required_version = ">= 1\.11\.0, < 2\.0\.0"/);
  t.regex(versions.contents, /version = "~> 5\.100\.0"/);
  for (const file of findFiles(modulesDir, (name) => name === versions.path || name === 'provider.tf' || name === 'backend.tf')) {
    t.fail(`${relative(repoRoot, file)} would be overwritten by a file root.hcl generates`);
  }
});

test('root.hcl resolves account, region, env and state bucket for an env unit and a _global unit', async (t) => {
  const loaded = await cache;
  const check = (unitPath: string, expected: Record<string, string>) => {
    const unit = loadUnit(loaded, join(liveDir, unitPath, 'terragrunt.hcl'));
    const rootFile = unit.includes.root!.path;
    const fileScope = evaluateInputs(loaded, { ...unit, inputs: {
      bucket: { value: '${local.state_bucket}', file: rootFile },
      env: { value: '${local.env.env}', file: rootFile },
      unit: { value: '${local.unit}', file: rootFile },
      key: { value: '${path_relative_to_include()}', file: rootFile },
    } });
    t.deepEqual(fileScope.unevaluable, {});
    t.deepEqual(fileScope.values, expected);
  };
  check('prod/eu-west-1/prod/rds', { bucket: 'acme-auth-tfstate-222222222222-eu-west-1', env: 'prod', unit: 'rds', key: 'live/prod/eu-west-1/prod/rds' });
  check('nonprod/_global/ecr', { bucket: 'acme-auth-tfstate-111111111111-eu-west-1', env: 'global', unit: 'ecr', key: 'live/nonprod/_global/ecr' });
});

test('app unit: image_tag comes from IMAGE_TAG, with the documented placeholder default', async (t) => {
  const loaded = await cache;
  const unit = loadUnit(loaded, join(liveDir, 'nonprod/eu-west-1/dev/app/terragrunt.hcl'));
  t.is(evaluateInputs(loaded, unit, { env: { IMAGE_TAG: 'abc1234' } }).values.image_tag, 'abc1234');
  t.is(evaluateInputs(loaded, unit, { env: {} }).values.image_tag, '0000000');
  t.true(readFileSync(join(terragruntDir, 'README.md'), 'utf8').includes('get_env("IMAGE_TAG", "0000000")'), 'README documents the default');
});

// Config variables deliberately not deployed, with the reason.
// PORT: reserved by App Runner, which sets it from the service's port (issue 12 item 7; apprunner-service refuses it).
const NOT_DEPLOYED: Record<string, string> = {
  PORT: 'set by App Runner from port',
  HOST: 'unset means every interface, which App Runner needs; only npm run dev narrows it to 127.0.0.1',
};

test('app unit: every app config variable is set, secrets only through runtime_environment_secrets', async (t) => {
  const loaded = await cache;
  // A non-secret may come from Secrets Manager too, where the contract says so (CLICKHOUSE_USER: it must switch
  // with the password); a secret never comes from anywhere else.
  const fromSecretsManager = new Set(readContractTable().rows.filter((row) => row.appRunner.kind === 'secret').map((row) => row.name));
  for (const env of ENVIRONMENTS) {
    const unit = loadUnit(loaded, join(liveDir, env, 'app', 'terragrunt.hcl'));
    const { values, unevaluable } = evaluateInputs(loaded, unit);
    t.deepEqual(unevaluable, {});
    const plain = values.runtime_environment_variables as Record<string, string>;
    const secret = values.runtime_environment_secrets as Record<string, string>;
    for (const variable of configVariables) {
      if (variable.name in NOT_DEPLOYED) continue;
      const injected = variable.secret || fromSecretsManager.has(variable.name);
      const where = injected ? secret : plain;
      t.true(variable.name in where, `${env}: ${variable.name} missing from runtime_environment_${injected ? 'secrets' : 'variables'}`);
      t.false(variable.name in plain && variable.name in secret, `${env}: ${variable.name} in both`);
      t.false(variable.secret && variable.name in plain, `${env}: secret ${variable.name} passed as a plain variable`);
    }
    const known = new Set(configVariables.map((variable) => variable.name as string));
    t.deepEqual([...Object.keys(plain), ...Object.keys(secret)].filter((name) => !known.has(name)), [], `${env}: names the app does not read`);
  }
});

test('secrets unit: the reader role is the role of the environment\'s compute target, by the name its module gives it', async (t) => {
  const loaded = await cache;
  // apprunner-service names the instance role "<name>-apprunner-instance", ecs-fargate-service the task execution
  // role "<name>-ecs-execution"; if either changes, this convention must change with it.
  t.regex(readFileSync(join(modulesDir, 'apprunner-service', 'iam.tf'), 'utf8'), /name\s+= "\$\{var\.name\}-apprunner-instance"/);
  t.regex(readFileSync(join(modulesDir, 'ecs-fargate-service', 'iam.tf'), 'utf8'), /name\s+= "\$\{var\.name\}-ecs-execution"/);
  const role = { apprunner: { unit: 'app', suffix: 'apprunner-instance' }, 'ecs-fargate': { unit: 'app-ecs', suffix: 'ecs-execution' } };
  for (const env of ENVIRONMENTS) {
    const target = (await parseHclFile(join(liveDir, env, 'env.hcl'))).locals[0].compute_target as keyof typeof role;
    const app = evaluateInputs(loaded, loadUnit(loaded, join(liveDir, env, role[target].unit, 'terragrunt.hcl'))).values;
    const secrets = evaluateInputs(loaded, loadUnit(loaded, join(liveDir, env, 'secrets', 'terragrunt.hcl'))).values;
    const account = (await parseHclFile(join(liveDir, env.split('/')[0]!, 'account.hcl'))).locals[0].account_id;
    t.deepEqual(secrets.reader_role_arns, [`arn:aws:iam::${account}:role/${String(app.name)}-${role[target].suffix}`], env);
  }
});

test('app unit: its alarms notify the environment\'s alarms unit, whose topic is KMS-encrypted', async (t) => {
  const loaded = await cache;
  t.regex(readFileSync(join(modulesDir, 'alarm-topic', 'main.tf'), 'utf8'), /kms_master_key_id\s+= local\.kms_key_arn/);
  for (const env of ENVIRONMENTS) {
    const app = loadUnit(loaded, join(liveDir, env, 'app', 'terragrunt.hcl'));
    t.is(dependencyPath(loaded, app, 'alarms'), join(liveDir, env, 'alarms'), env);
    t.is(app.inputs.alarm_sns_topic_arn?.value, '${dependency.alarms.outputs.topic_arn}', env);
    const alarms = evaluateInputs(loaded, loadUnit(loaded, join(liveDir, env, 'alarms', 'terragrunt.hcl'))).values;
    t.is(alarms.name, `auth-${env.split('/').pop()}-alarms`, env);
    // The name must be one apprunner-service accepts at the end of alarm_sns_topic_arn.
    t.regex(`arn:aws:sns:eu-west-1:111111111111:${String(alarms.name)}`, /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$/);
  }
});

test('restore path B of the runbook is what the rds unit and module take', async (t) => {
  const loaded = await cache;
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
    const rds = loadUnit(loaded, join(liveDir, env, 'rds', 'terragrunt.hcl'));
    t.is(rds.inputs.restore_to_point_in_time?.value, '${local.env.db_restore_to_point_in_time}', env);
    // null normally; an object during a restore (the plan smoke then checks it against the module's validations).
    const restore = evaluateInputs(loaded, rds).values.restore_to_point_in_time;
    t.true(restore === null || typeof restore === 'object', env);
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
  const loaded = await cache;
  for (const account of ['nonprod', 'prod']) {
    const unit = loadUnit(loaded, join(liveDir, account, '_global', 'state-backend', 'terragrunt.hcl'));
    const rootFile = unit.includes.root!.path;
    const { values } = evaluateInputs(loaded, { ...unit, inputs: { ...unit.inputs, root_bucket: { value: '${local.state_bucket}', file: rootFile } } });
    t.is(values.bucket_name, values.root_bucket, account);
  }
});

test('github-oidc unit: one deploy role per environment folder of the account, for that environment\'s service', async (t) => {
  const loaded = await cache;
  for (const account of ['nonprod', 'prod']) {
    const unit = loadUnit(loaded, join(liveDir, account, '_global', 'github-oidc', 'terragrunt.hcl'));
    const deploy = evaluateInputs(loaded, unit).values.deploy_environments as Record<string, { apprunner_service_name: string }>;
    const envs = ENVIRONMENTS.filter((env) => env.startsWith(`${account}/`));
    t.deepEqual(Object.keys(deploy).sort(), envs.map((env) => env.split('/').pop()!).sort(), account);
    // The infra role's IAM rights cover <iam_name_prefix>-*: the names the network and app units give their roles.
    const infra = evaluateInputs(loaded, unit).values.infra_environments as Record<string, { iam_name_prefix: string }>;
    t.deepEqual(Object.keys(infra).sort(), Object.keys(deploy).sort(), `${account}: one infra role per environment`);
    for (const env of envs) {
      const app = evaluateInputs(loaded, loadUnit(loaded, join(liveDir, env, 'app', 'terragrunt.hcl'))).values;
      t.is(deploy[env.split('/').pop()!]?.apprunner_service_name, app.name as string, env);
      const network = evaluateInputs(loaded, loadUnit(loaded, join(liveDir, env, 'network', 'terragrunt.hcl'))).values;
      t.is(infra[env.split('/').pop()!]?.iam_name_prefix, app.name as string, `${env}: infra IAM prefix is the app name`);
      t.is(network.name, app.name, `${env}: the network's roles share the prefix`);
    }
  }
});

test('every dependency allows its mocks for exactly validate and plan (DESIGN.md)', async (t) => {
  const { units } = await result;
  let dependencies = 0;
  for (const unit of units) {
    for (const [name, { value: block }] of Object.entries(unit.dependencies)) {
      dependencies++;
      t.deepEqual(block.mock_outputs_allowed_terraform_commands, ['validate', 'plan'], `${relative(liveDir, unit.dir)}: dependency "${name}"`);
    }
  }
  t.true(dependencies >= 15);
});
