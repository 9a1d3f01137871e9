// Issue 12 (first contact), item 5: the operators and the environment's infra role can write the secrets, the
// app's runtime role can read the app's secrets, and nobody else can read or write any of them. The infra role is
// write-only: it can put every secret but read none (it runs in GitHub Actions; a leaked job token must not reveal
// clickhouse-admin or jwt-signing-keys). Checked for dev (compute_target ecs-fargate: the ECS task execution role
// `auth-dev-ecs-execution` reads) and staging (apprunner: `auth-staging-apprunner-instance`).
//
// The facts come from the real artefacts, not from our belief:
//   - the inputs are what the real Terragrunt passes to the dev secrets unit (`terragrunt render --format json`);
//   - the key policy and the five secret policies are what the real AWS provider (hashicorp/aws 5.100.0, local
//     mirror) plans for module app-secrets with those inputs;
//   - each request is decided by @cloud-copilot/iam-simulate, a maintained implementation of AWS's policy
//     evaluation logic (IAM User Guide, "Policy evaluation logic": explicit deny, then resource-based and
//     identity-based allows within one account; KMS key policies as in the AWS KMS Developer Guide, "Key policies":
//     a statement for the account principal lets IAM policies grant use, here only to the aws:PrincipalArn listed).
// What Secrets Manager itself does on PutSecretValue and GetSecretValue is from the Secrets Manager User Guide,
// "Secret encryption and decryption": it calls kms:GenerateDataKey (write) and kms:Decrypt (read) on the secret's
// key as the caller, with kms:ViaService = secretsmanager.<region>.amazonaws.com.
import test from 'ava';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { join } from 'node:path';
import { planModule, renderUnit, type PlanJson, type PriorInstance } from './lib/first-contact.ts';
import { modulesDir, parseModule } from './lib/hcl.ts';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const VIA_SECRETS_MANAGER = `secretsmanager.${REGION}.amazonaws.com`;
const SECRETS = ['jwt-signing-keys', 'database', 'database-migration', 'clickhouse', 'clickhouse-admin'];
const APP_SECRETS = SECRETS.filter((name) => name !== 'clickhouse-admin');
const ENVIRONMENTS = [
  { env: 'dev', reader: `arn:aws:iam::${ACCOUNT}:role/auth-dev-ecs-execution` },
  { env: 'staging', reader: `arn:aws:iam::${ACCOUNT}:role/auth-staging-apprunner-instance` },
] as const;
const secretArn = (env: string, name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:auth/${env}/${name}-AbCdEf`;
const operator = `arn:aws:iam::${ACCOUNT}:role/auth-nonprod-operator`;
const infraRole = (env: string) => `arn:aws:iam::${ACCOUNT}:role/auth-nonprod-github-infra-${env}`;

// Identity policies of the callers. The operator and a stranger hold AdministratorAccess (arn:aws:iam::aws:policy/
// AdministratorAccess: Allow * on *), the broadest thing an account principal can have, so what stops them is the
// resource side. The infra role holds PowerUserAccess (arn:aws:iam::aws:policy/PowerUserAccess, attached by module
// github-oidc): everything but iam, organizations and account. The app's runtime role holds what module
// apprunner-service (instance role) or ecs-fargate-service (task execution role) gives it (iam.tf, ReadTheseSecrets
// and DecryptTheseSecrets) for the secrets it injects.
const administratorAccess = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const powerUserAccess = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    { Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization', 'account:ListRegions', 'account:GetAccountInformation'], Resource: '*' },
  ],
};

interface Policies {
  env: string;
  key: unknown;
  keyArn: string;
  secrets: Map<string, unknown>;
}

async function plannedPolicies(env: string): Promise<{ policies: Policies; roles: { readers: string[]; writers: string[]; admins: string[] } }> {
  const rendered = await renderUnit(`nonprod/eu-west-1/${env}/secrets`);
  const inputs = rendered.inputs;
  const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;
  // The key and the secrets exist (as after the first apply): their ARNs are known, so the policies are known at plan.
  const keyId = keyArn.split('/')[1]!;
  // Terraform reads a data source at plan time only when nothing it depends on changes, so the secrets in state
  // carry the attributes the module gives them (description from its `secrets` local, the SecretShape tag).
  const moduleLocals = Object.assign({}, ...((await parseModule(join(modulesDir, 'app-secrets'))).locals as object[])) as { secrets: Record<string, { description: string }> };
  const prior: PriorInstance[] = [{ type: 'aws_kms_key', name: 'this', attributes: { id: keyId, key_id: keyId, arn: keyArn, policy: '{}', enable_key_rotation: true, is_enabled: true, key_usage: 'ENCRYPT_DECRYPT', customer_master_key_spec: 'SYMMETRIC_DEFAULT', tags: {}, tags_all: {} } }, ...SECRETS.map((name) => ({
    type: 'aws_secretsmanager_secret',
    name: 'this',
    indexKey: name,
    attributes: { id: secretArn(env, name), arn: secretArn(env, name), name: `auth/${env}/${name}`, description: moduleLocals.secrets[name]!.description, kms_key_id: keyArn, recovery_window_in_days: inputs.recovery_window_in_days, force_overwrite_replica_secret: false, tags: { SecretShape: name }, tags_all: { SecretShape: name }, replica: [] },
  }))];
  const plan: PlanJson = await planModule({ module: 'app-secrets', inputs, prior, accountId: ACCOUNT, region: REGION });
  const after = (type: string, index?: string) => plan.resource_changes?.find((change) => change.type === type && change.name === 'this' && (index === undefined || change.index === index))?.change.after;
  const key = JSON.parse(String(after('aws_kms_key')?.policy));
  const secrets = new Map(SECRETS.map((name) => [name, JSON.parse(String(after('aws_secretsmanager_secret_policy', name)?.policy))]));
  return {
    policies: { env, key, keyArn, secrets },
    roles: { readers: (inputs.reader_role_arns as string[] | undefined) ?? [], writers: (inputs.writer_role_arns as string[] | undefined) ?? [], admins: (inputs.admin_role_arns as string[] | undefined) ?? [] },
  };
}

// One real plan per environment, shared by the tests (each plan runs terraform once).
const planned = new Map<string, ReturnType<typeof plannedPolicies>>(ENVIRONMENTS.map(({ env }) => [env, plannedPolicies(env)]));
const plannedFor = (env: string) => planned.get(env)!;
async function decide(options: { principal: string; identity: unknown; action: string; resource: string; resourcePolicy: unknown; context?: Record<string, string> }): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: options.principal,
      action: options.action,
      resource: { resource: options.resource, accountId: ACCOUNT },
      contextVariables: { 'aws:PrincipalArn': options.principal, 'aws:PrincipalAccount': ACCOUNT, ...options.context },
    },
    identityPolicies: [{ name: 'identity', policy: options.identity }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: options.resourcePolicy,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation refused: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== 'single') throw new Error(`expected one resource, got ${result.resultType}`);
  return result.overallResult;
}

/** Can `principal` do a Secrets Manager `action` on a secret: the secret's policy and the key's use via Secrets Manager. */
async function can(policies: Policies, principal: string, identity: unknown, action: 'secretsmanager:PutSecretValue' | 'secretsmanager:GetSecretValue', secret: string) {
  const onSecret = await decide({ principal, identity, action, resource: secretArn(policies.env, secret), resourcePolicy: policies.secrets.get(secret) });
  const keyAction = action === 'secretsmanager:PutSecretValue' ? 'kms:GenerateDataKey' : 'kms:Decrypt';
  const onKey = await decide({ principal, identity, action: keyAction, resource: policies.keyArn, resourcePolicy: policies.key, context: { 'kms:ViaService': VIA_SECRETS_MANAGER, 'kms:CallerAccount': ACCOUNT } });
  return { allowed: onSecret === 'Allowed' && onKey === 'Allowed', detail: `${action}: ${onSecret}, ${keyAction}: ${onKey}` };
}

for (const { env, reader } of ENVIRONMENTS) {
  test(`${env}: the secrets unit names the operator and infra roles as writers, the operator as admin, and the ${reader.split('/')[1]} role as reader (terragrunt render)`, async (t) => {
    const { roles } = await plannedFor(env);
    t.deepEqual([...roles.writers].sort(), [infraRole(env), operator].sort());
    t.deepEqual(roles.admins, [operator]);
    t.deepEqual(roles.readers, [reader]);
  });

  test(`${env}: the operator role can put and read every secret, the operator-only one included (policy evaluation)`, async (t) => {
    const { policies } = await plannedFor(env);
    for (const secret of SECRETS) {
      for (const action of ['secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue'] as const) {
        const decision = await can(policies, operator, administratorAccess, action, secret);
        t.true(decision.allowed, `operator ${secret}: ${decision.detail}`);
      }
    }
  });

  // The writer KMS grant is kms:GenerateDataKey only, which is all PutSecretValue needs (Secrets Manager User Guide,
  // "Secret encryption and decryption"); GetSecretValue needs kms:Decrypt and meets the secret's explicit deny.
  test(`${env}: the infra role can put every secret but read none, clickhouse-admin and jwt-signing-keys included (policy evaluation with PowerUserAccess)`, async (t) => {
    const { policies } = await plannedFor(env);
    for (const secret of SECRETS) {
      const put = await can(policies, infraRole(env), powerUserAccess, 'secretsmanager:PutSecretValue', secret);
      t.true(put.allowed, `infra put ${secret}: ${put.detail}`);
      const get = await can(policies, infraRole(env), powerUserAccess, 'secretsmanager:GetSecretValue', secret);
      t.false(get.allowed, `infra get ${secret}: ${get.detail}`);
      const decrypt = await decide({ principal: infraRole(env), identity: powerUserAccess, action: 'kms:Decrypt', resource: policies.keyArn, resourcePolicy: policies.key, context: { 'kms:ViaService': VIA_SECRETS_MANAGER, 'kms:CallerAccount': ACCOUNT } });
      t.not(decrypt, 'Allowed', `infra kms:Decrypt via Secrets Manager: ${decrypt}`);
    }
  });

  test(`${env}: the app's runtime role reads the app secrets, not the admin one, and writes none (policy evaluation)`, async (t) => {
    const { policies } = await plannedFor(env);
    const runtimeIdentity = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadTheseSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: SECRETS.map((name) => secretArn(env, name)) },
        { Sid: 'DecryptTheseSecrets', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [policies.keyArn] },
      ],
    };
    for (const secret of APP_SECRETS) {
      const decision = await can(policies, reader, runtimeIdentity, 'secretsmanager:GetSecretValue', secret);
      t.true(decision.allowed, `${reader} ${secret}: ${decision.detail}`);
    }
    const admin = await can(policies, reader, runtimeIdentity, 'secretsmanager:GetSecretValue', 'clickhouse-admin');
    t.false(admin.allowed, `${reader} clickhouse-admin: ${admin.detail}`);
    const write = await can(policies, reader, administratorAccess, 'secretsmanager:PutSecretValue', 'database');
    t.false(write.allowed, `${reader} put: ${write.detail}`);
  });

  test(`${env}: anyone else, even with AdministratorAccess, can neither read nor put any secret (policy evaluation)`, async (t) => {
    const { policies } = await plannedFor(env);
    const otherTarget = env === 'dev' ? `arn:aws:iam::${ACCOUNT}:role/auth-dev-apprunner-instance` : `arn:aws:iam::${ACCOUNT}:role/auth-staging-ecs-execution`;
    for (const stranger of [`arn:aws:iam::${ACCOUNT}:role/auth-nonprod-github-deploy-${env}`, `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`, otherTarget]) {
      for (const secret of SECRETS) {
        for (const action of ['secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue'] as const) {
          const decision = await can(policies, stranger, administratorAccess, action, secret);
          t.false(decision.allowed, `${stranger} ${action} ${secret}: ${decision.detail}`);
        }
      }
    }
  });
}
