// Issue 12 (first contact), module facts pinned to their upstream sources:
//   item 2  - clickhouse-cloud's admin password flow and backup lists, against the ClickHouse provider's own
//             validators (terraform-provider-clickhouse v3.25.3, internal/service/clickhouse/resource/service.go).
//             The provider cannot be built here (the Go module proxy refuses it), so `terraform validate/test` of
//             that module cannot run on this machine: these checks read the module's HCL instead.
//   item 12 - App Runner replacements, planned by the real AWS provider (hashicorp/aws 5.100.0, local mirror).
//   item 15 - the infra job's credentials against configure-aws-credentials' defaults and the roles' maximum.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findFiles, liveDir, modulesDir, parseHclFile, parseModule, repoRoot, type HclJson } from './lib/hcl.ts';
import { planModule } from './lib/first-contact.ts';

const only = <T>(blocks: T[] | undefined, what: string): T => {
  if (!blocks || blocks.length !== 1) throw new Error(`expected exactly one ${what}`);
  return blocks[0]!;
};
const numbersIn = (condition: string): number[] => [...(/contains\(\[([^\]]*)\]/.exec(condition)?.[1] ?? '').matchAll(/\d+/g)].map((match) => Number(match[0]));

// ---- item 2: ClickHouse admin password and backups -------------------------------------------------------------
// service.go v3.25.3, schema of clickhouse_service:
//   l.134-146 password:       AtLeastOneOf(password_hash, password_wo, warehouse_id): one password argument on every run;
//   l.147-158 password_hash:  ConflictsWith(password, password_wo); RegexMatches base64;
//   l.171-185 password_wo:    AlsoRequires(password_wo_version), write-only (null on every run that does not set it);
//   l.186-192 password_wo_version: AlsoRequires(password_wo): set alone, it fails every plan;
//   l.496-505 backup_period_in_hours:           OneOf(6, 8, 12, 16, 20, 24, 36, 48);
//   l.506-514 backup_retention_period_in_hours: OneOf(24, 48, 72, 96, 120, 144, 168, 336, 504, 672, 720).
const PROVIDER_BACKUP_PERIODS = [6, 8, 12, 16, 20, 24, 36, 48];
const PROVIDER_BACKUP_RETENTIONS = [24, 48, 72, 96, 120, 144, 168, 336, 504, 672, 720];

test('clickhouse-cloud sends password_hash on every run, never password_wo_version without password_wo (provider v3.25.3 validators)', async (t) => {
  const module = await parseModule(join(modulesDir, 'clickhouse-cloud'));
  const service = only<HclJson>(module.resource.clickhouse_service.this, 'clickhouse_service.this');
  t.is(service.password_hash, '${var.password_hash}');
  for (const attribute of ['password', 'password_wo', 'password_wo_version', 'double_sha1_password_hash']) t.false(attribute in service, `${attribute} conflicts with password_hash or needs a value on every run`);
  const variable = only<HclJson>(module.variable.password_hash, 'variable password_hash');
  t.false('default' in variable, 'required: the provider needs a password argument on every run');
  t.true(variable.sensitive);
  t.false(variable.ephemeral === true, 'password_hash is stored in state by the provider, so it cannot be ephemeral');
  // The live unit passes it from env.hcl, which every environment sets.
  const unit = await parseHclFile(join(liveDir, '_envcommon', 'clickhouse.hcl'));
  t.is(unit.inputs.password_hash, '${local.env.clickhouse_admin_password_sha256}');
  t.false('password_wo_version' in unit.inputs);
  for (const file of findFiles(liveDir, (name) => name === 'env.hcl')) {
    const locals = (await parseHclFile(file)).locals[0];
    t.regex(String(locals.clickhouse_admin_password_sha256), /^[A-Za-z0-9+/]{43}=$/, `${file}: base64 SHA-256`);
  }
});

test('clickhouse-cloud backup lists are the provider\'s (period and retention, provider v3.25.3)', async (t) => {
  const module = await parseModule(join(modulesDir, 'clickhouse-cloud'));
  const condition = (name: string) => (only<HclJson>(module.variable[name], name).validation as HclJson[]).map((rule) => String(rule.condition)).find((text) => text.includes('contains('))!;
  t.deepEqual(numbersIn(condition('backup_period_in_hours')), PROVIDER_BACKUP_PERIODS);
  t.deepEqual(numbersIn(condition('backup_retention_period_in_hours')), PROVIDER_BACKUP_RETENTIONS);
  for (const file of findFiles(liveDir, (name) => name === 'env.hcl')) {
    const locals = (await parseHclFile(file)).locals[0];
    t.true(PROVIDER_BACKUP_RETENTIONS.includes(Number(locals.clickhouse_backup_retention_hours)), `${file}: retention the provider accepts`);
  }
});

// ---- item 12: App Runner replacements --------------------------------------------------------------------------
test('a subnet or min_size change replaces the VPC connector and the auto scaling configuration create-before-destroy (real plan, hashicorp/aws 5.100.0)', async (t) => {
  const account = '111122223333';
  const region = 'eu-west-1';
  const connector = `arn:aws:apprunner:${region}:${account}:vpcconnector/auth-dev/1/0123456789abcdef0123456789abcdef`;
  const scaling = `arn:aws:apprunner:${region}:${account}:autoscalingconfiguration/auth-dev/1/0123456789abcdef0123456789abcdef`;
  const inputs = {
    name: 'auth-dev',
    repository_url: `${account}.dkr.ecr.${region}.amazonaws.com/auth`,
    repository_arn: `arn:aws:ecr:${region}:${account}:repository/auth`,
    image_tag: '3f2a9c1',
    subnet_ids: ['subnet-0bbb2222'],
    security_group_ids: ['sg-0ccc3333'],
    alarm_sns_topic_arn: `arn:aws:sns:${region}:${account}:auth-dev-alarms`,
    min_size: 2,
  };
  // The state after an apply with subnet-0aaa1111 and min_size 1 (attributes as the provider's schema names them).
  const prior = [
    { type: 'aws_apprunner_vpc_connector', name: 'this', attributes: { id: connector, arn: connector, vpc_connector_name: `auth-dev-${createHash('sha256').update('subnet-0aaa1111|sg-0ccc3333').digest('hex').slice(0, 7)}`, vpc_connector_revision: 1, subnets: ['subnet-0aaa1111'], security_groups: ['sg-0ccc3333'], status: 'ACTIVE', tags: {}, tags_all: {} } },
    { type: 'aws_apprunner_auto_scaling_configuration_version', name: 'this', attributes: { id: scaling, arn: scaling, auto_scaling_configuration_name: 'auth-dev', auto_scaling_configuration_revision: 1, min_size: 1, max_size: 2, max_concurrency: 80, latest: true, is_default: false, has_associated_service: true, status: 'active', tags: {}, tags_all: {} } },
  ];
  const plan = await planModule({ module: 'apprunner-service', inputs, prior, accountId: account, region });
  const actions = (type: string) => plan.resource_changes?.find((change) => change.type === type && change.name === 'this')?.change.actions;
  // ["create","delete"] is Terraform's create-before-destroy replacement; ["delete","create"] deletes the one in use first.
  t.deepEqual(actions('aws_apprunner_vpc_connector'), ['create', 'delete']);
  t.deepEqual(actions('aws_apprunner_auto_scaling_configuration_version'), ['create', 'delete']);
  // The new connector exists next to the old one, and App Runner "supports only one revision per name" for VPC
  // connectors (App Runner API reference, VpcConnector.VpcConnectorRevision): the replacement needs another name.
  // Several auto scaling configuration revisions per name are allowed (AutoScalingConfigurationRevision).
  const after = plan.resource_changes?.find((change) => change.type === 'aws_apprunner_vpc_connector')?.change.after as { vpc_connector_name?: string } | undefined;
  t.not(after?.vpc_connector_name, prior[0]!.attributes.vpc_connector_name);
  t.regex(after?.vpc_connector_name ?? '', /^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/);
});

// ---- item 15: infra job credentials ----------------------------------------------------------------------------
// aws-actions/configure-aws-credentials v5.0.0 action.yml, role-duration-seconds: "default: 6 hours, 1 hour for
// OIDC/specified aws-session-token". IAM (CreateRole, MaxSessionDuration): a session cannot outlast the role's maximum.
const OIDC_DEFAULT_DURATION = 3600;

test('every job that assumes a role gets credentials for its whole timeout, within the role\'s maximum session', async (t) => {
  const variables = (await parseModule(join(modulesDir, 'github-oidc'))).variable as Record<string, HclJson[]>;
  const defaultOf = (name: string) => Number(only(variables[name], name).default);
  const infra = await parseHclFile(join(modulesDir, 'github-oidc', 'infra.tf'));
  t.is(infra.resource.aws_iam_role.infra[0].max_session_duration, '${var.infra_max_session_duration}');
  const liveInputs = (await parseHclFile(join(liveDir, '_envcommon', 'github-oidc.hcl'))).inputs as HclJson;
  const maximum = (role: string) => (/-infra-/.test(role)
    ? Number(liveInputs.infra_max_session_duration ?? defaultOf('infra_max_session_duration'))
    : Number(liveInputs.max_session_duration ?? defaultOf('max_session_duration')));
  let checked = 0;
  for (const name of ['infra.yml', 'plan.yml', 'deploy.yml']) {
    const workflow = parseYaml(readFileSync(join(repoRoot, '.github', 'workflows', name), 'utf8')) as { jobs: Record<string, { 'timeout-minutes'?: number; steps?: { uses?: string; with?: Record<string, unknown> }[] }> };
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        if (!step.uses?.startsWith('aws-actions/configure-aws-credentials@')) continue;
        checked += 1;
        const requested = Number(step.with?.['role-duration-seconds'] ?? OIDC_DEFAULT_DURATION);
        const role = String(step.with?.['role-to-assume']);
        t.true((job['timeout-minutes'] ?? 360) * 60 <= requested, `${name} ${id}: ${job['timeout-minutes']} min job, ${requested} s credentials`);
        if (!role.includes('${{')) t.true(requested <= maximum(role), `${name} ${id}: ${requested} s requested, role ${role} allows ${maximum(role)} s`);
      }
    }
  }
  t.true(checked >= 4, `${checked} credential steps checked`);
});
