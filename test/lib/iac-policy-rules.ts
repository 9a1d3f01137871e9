// The infrastructure policy rules, in one table. Each rule reads a parsed module (test/lib/hcl.ts) and its
// IAM statements (test/lib/iam-statements.ts) and returns one message per break, naming where it is.
import type { HclJson } from './hcl.ts';
import type { Statement } from './iam-statements.ts';

export interface ModuleFacts {
  module: HclJson;
  statements: Statement[];
}

export interface Rule {
  id: string;
  forbids: string;
  exceptions: string;
  check: (facts: ModuleFacts) => string[];
}

/** Actions that AWS authorizes only on Resource "*" (no resource-level permissions exist for them). */
export const STAR_ONLY_ACTIONS = new Set([
  'ecr:GetAuthorizationToken',
  'sts:GetCallerIdentity',
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'kms:ListAliases',
  'kms:ListKeys',
  'secretsmanager:ListSecrets',
  'secretsmanager:GetRandomPassword',
  's3:ListAllMyBuckets',
  'sns:ListTopics',
  'route53:ListHostedZones',
  'apprunner:ListServices',
  'apprunner:ListVpcConnectors',
  'apprunner:ListAutoScalingConfigurations',
  'apprunner:ListObservabilityConfigurations',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNatGateways',
  'tag:GetResources',
  // Amazon ECS and Elastic Load Balancing V2 (Service Authorization Reference): no resource types for these.
  'ecs:RegisterTaskDefinition',
  'ecs:DeregisterTaskDefinition',
  'ecs:DescribeTaskDefinition',
  'elasticloadbalancing:DescribeTargetHealth',
]);

const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);

const isWildcardAction = (action: string) => action === '*' || /^[a-z0-9-]+:\*$/i.test(action);
const isAccountRoot = (id: string) => /^arn:[^:]*:iam::[^:]*:root$/.test(id);
const isOidcTrust = (s: Statement) =>
  s.actions.includes('sts:AssumeRoleWithWebIdentity') || s.principals.some((p) => p.type === 'Federated');
const where = (s: Statement) => `${s.where} (${s.kind} policy, ${s.effect})`;
const allows = (facts: ModuleFacts) => facts.statements.filter((s) => s.effect === 'Allow');
const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.flat() : [value]);

function resources(module: HclJson, type: string): [string, HclJson][] {
  return Object.entries<HclJson[]>(module.resource?.[type] ?? {}).flatMap(([name, blocks]) => blocks.map((b): [string, HclJson] => [name, b]));
}

function unencryptedStorage({ module }: ModuleFacts): string[] {
  const problems: string[] = [];
  const missing = (type: string, test: (block: HclJson) => boolean, what: string) => {
    for (const [name, block] of resources(module, type)) if (!test(block)) problems.push(`${type}.${name}: ${what}`);
  };
  // A bucket is encrypted by its own aws_s3_bucket_server_side_encryption_configuration (or the legacy inline block).
  const encryptionTargets = resources(module, 'aws_s3_bucket_server_side_encryption_configuration').map(([, b]) => String(b.bucket));
  for (const [name, bucket] of resources(module, 'aws_s3_bucket')) {
    const reference = new RegExp(`aws_s3_bucket\\.${name}(\\[[^\\]]*\\])?\\.(id|bucket)\\b`);
    if (bucket.server_side_encryption_configuration === undefined && !encryptionTargets.some((target) => reference.test(target))) {
      problems.push(`aws_s3_bucket.${name}: no server-side encryption configuration`);
    }
  }
  missing('aws_db_instance', (b) => b.storage_encrypted === true, 'storage_encrypted is not true');
  missing('aws_rds_cluster', (b) => b.storage_encrypted === true, 'storage_encrypted is not true');
  missing('aws_cloudwatch_log_group', (b) => b.kms_key_id != null, 'no kms_key_id');
  missing('aws_ecr_repository', (b) => list(b.encryption_configuration).some((c) => (c as HclJson).encryption_type === 'KMS'), 'not KMS-encrypted');
  missing('aws_sns_topic', (b) => b.kms_master_key_id != null, 'no kms_master_key_id');
  missing('aws_sqs_queue', (b) => b.kms_master_key_id != null, 'no kms_master_key_id');
  missing('aws_secretsmanager_secret', (b) => b.kms_key_id != null, 'no kms_key_id (customer-managed key)');
  missing('aws_ebs_volume', (b) => b.encrypted === true, 'encrypted is not true');
  missing('aws_efs_file_system', (b) => b.encrypted === true, 'encrypted is not true');
  return problems;
}

function publiclyAccessible({ module }: ModuleFacts): string[] {
  const problems: string[] = [];
  for (const [type, byName] of Object.entries<HclJson>(module.resource ?? {})) {
    for (const [name, blocks] of Object.entries<HclJson[]>(byName)) {
      for (const block of blocks) {
        if ('publicly_accessible' in block && block.publicly_accessible !== false) {
          problems.push(`${type}.${name}: publicly_accessible = ${JSON.stringify(block.publicly_accessible)} (must be the literal false)`);
        }
      }
    }
  }
  return problems;
}

function openIngress({ module }: ModuleFacts): string[] {
  const problems: string[] = [];
  const open = (...values: unknown[]) => values.flatMap(list).filter((v) => OPEN_CIDRS.has(String(v)));
  for (const [name, group] of resources(module, 'aws_security_group')) {
    for (const rule of list(group.ingress) as HclJson[]) {
      for (const cidr of open(rule.cidr_blocks, rule.ipv6_cidr_blocks)) problems.push(`aws_security_group.${name}: inline ingress from ${cidr}`);
    }
  }
  for (const [name, rule] of resources(module, 'aws_security_group_rule')) {
    if (rule.type !== 'egress') for (const cidr of open(rule.cidr_blocks, rule.ipv6_cidr_blocks)) problems.push(`aws_security_group_rule.${name}: ingress from ${cidr}`);
  }
  // The one exception: HTTP/HTTPS (literal port 80 or 443) to the group of an internet-facing load balancer.
  const publicLbGroups = new Set(
    resources(module, 'aws_lb')
      .filter(([, lb]) => lb.internal === false)
      .flatMap(([, lb]) => list(lb.security_groups).map((group) => /^\$\{aws_security_group\.(\w+)\.id\}$/.exec(String(group))?.[1]))
      .filter((group): group is string => group !== undefined),
  );
  const toPublicListener = (rule: HclJson) =>
    [80, 443].includes(rule.from_port as number) && rule.to_port === rule.from_port &&
    publicLbGroups.has(/^\$\{aws_security_group\.(\w+)\.id\}$/.exec(String(rule.security_group_id))?.[1] ?? '');
  for (const [name, rule] of resources(module, 'aws_vpc_security_group_ingress_rule')) {
    if (toPublicListener(rule)) continue;
    for (const cidr of open(rule.cidr_ipv4, rule.cidr_ipv6)) problems.push(`aws_vpc_security_group_ingress_rule.${name}: ingress from ${cidr}`);
  }
  return problems;
}

function oidcSubPinned(facts: ModuleFacts): string[] {
  const problems: string[] = [];
  for (const s of allows(facts).filter(isOidcTrust)) {
    const sub = s.conditions.filter((c) => c.variable.endsWith(':sub'));
    if (!sub.some((c) => c.test === 'StringEquals')) problems.push(`${where(s)}: federated trust without StringEquals on :sub`);
    for (const c of sub.filter((c) => c.test !== 'StringEquals')) problems.push(`${where(s)}: :sub tested with ${c.test}`);
    for (const c of sub) for (const v of c.values.filter((v) => v.replace(/\$\{[^}]*\}/g, '').includes('*'))) problems.push(`${where(s)}: wildcard :sub ${v}`);
  }
  return problems;
}

function oidcAudPinned(facts: ModuleFacts): string[] {
  return allows(facts)
    .filter(isOidcTrust)
    .filter((s) => !s.conditions.some((c) => c.test === 'StringEquals' && c.variable.endsWith(':aud') && c.values.includes('sts.amazonaws.com')))
    .map((s) => `${where(s)}: federated trust without StringEquals :aud = sts.amazonaws.com`);
}

const BROAD_MANAGED_POLICY = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/** Where in a module an account-wide AWS managed policy is named: attachments, managed_policy_arns, variable defaults. */
function broadManagedPolicies({ module }: ModuleFacts): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string') {
      if (BROAD_MANAGED_POLICY.test(value)) found.push(`${path}: ${value}`);
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}[${index}]`));
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`);
  };
  walk(module.resource, 'resource');
  walk(module.variable, 'variable');
  walk(module.locals, 'locals');
  // The one exception (see RULES): PowerUserAccess as the default of github-oidc's infra_policy_arns.
  return found.filter((where) => !/^variable\.infra_policy_arns\[0\]\.default\[\d+\]: arn:aws:iam::aws:policy\/PowerUserAccess$/.test(where));
}

/** The rule table. */
export const RULES: Rule[] = [
  {
    id: 'iam-action-wildcard',
    forbids: 'an Allow statement with Action "*" or "<service>:*", or with NotAction',
    exceptions: 'the account-root statement of a KMS key policy (the AWS default key policy, delegating to IAM)',
    check: (facts) =>
      allows(facts).flatMap((s) => {
        const rootKeyStatement = s.kind === 'key' && s.principals.length > 0 && s.principals.every((p) => p.type === 'AWS' && p.identifiers.every(isAccountRoot));
        const wild = rootKeyStatement ? [] : s.actions.filter(isWildcardAction).map((a) => `${where(s)}: Action ${a}`);
        return [...wild, ...s.notActions.map((a) => `${where(s)}: NotAction ${a}`)];
      }),
  },
  {
    id: 'iam-resource-wildcard',
    forbids: 'an Allow statement with Resource "*" (or NotResource) for an action that supports resource-level permissions',
    exceptions: 'actions in STAR_ONLY_ACTIONS; key and resource policies, where "*" means the resource the policy is attached to',
    check: (facts) =>
      allows(facts)
        .filter((s) => s.kind !== 'key' && s.kind !== 'resource' && s.kind !== 'trust')
        .flatMap((s) => [
          ...(s.resources.includes('*') ? s.actions.filter((a) => !STAR_ONLY_ACTIONS.has(a)).map((a) => `${where(s)}: ${a} on Resource "*"`) : []),
          ...s.notResources.map((r) => `${where(s)}: NotResource ${r}`),
        ]),
  },
  {
    id: 'iam-public-principal',
    forbids: 'an Allow statement with Principal "*" and no condition (a public resource policy)',
    exceptions: 'none',
    check: (facts) =>
      allows(facts)
        .filter((s) => s.principals.some((p) => p.identifiers.includes('*')) && s.conditions.length === 0)
        .map((s) => `${where(s)}: Principal "*" without a condition`),
  },
  {
    id: 'unencrypted-storage',
    forbids: 'S3 without SSE, RDS without storage_encrypted, log group/secret/SNS/SQS without a KMS key, ECR not KMS, EBS/EFS unencrypted',
    exceptions: 'none',
    check: unencryptedStorage,
  },
  { id: 'publicly-accessible', forbids: 'publicly_accessible other than the literal false', exceptions: 'none', check: publiclyAccessible },
  {
    id: 'open-ingress',
    forbids: 'a security group ingress (inline, aws_security_group_rule, aws_vpc_security_group_ingress_rule) from 0.0.0.0/0 or ::/0',
    exceptions: 'egress rules; aws_vpc_security_group_ingress_rule on literal port 80 or 443 to the security group of an aws_lb with internal = false (the public listener of ecs-fargate-service)',
    check: openIngress,
  },
  {
    id: 'oidc-sub-pinned',
    forbids: 'a federated (OIDC) trust statement without StringEquals on :sub, or :sub under StringLike, or a wildcard :sub value',
    exceptions: 'none',
    check: oidcSubPinned,
  },
  {
    id: 'oidc-aud-pinned',
    forbids: 'a federated (OIDC) trust statement without StringEquals :aud = sts.amazonaws.com',
    exceptions: 'none',
    check: oidcAudPinned,
  },
  {
    id: 'broad-managed-policy',
    forbids: 'naming AdministratorAccess, PowerUserAccess or IAMFullAccess anywhere in a module (attachment, managed_policy_arns, variable default, local)',
    exceptions:
      'PowerUserAccess as the default of github-oidc\'s infra_policy_arns: the manual, reviewer-gated infra role (GitHub environment <env>-infra) applies every unit of an environment, so it needs every service; it gets no IAM from it (PowerUserAccess excludes iam:*), its IAM rights are a separate statement scoped to the environment\'s name prefix, and the variable\'s validation refuses AdministratorAccess and IAMFullAccess',
    check: broadManagedPolicies,
  },
  {
    id: 'no-for-all-values',
    forbids: 'ForAllValues:* in an Allow statement (true when the key is absent, so it can grant to anyone)',
    exceptions: 'none',
    check: (facts) =>
      allows(facts).flatMap((s) => s.conditions.filter((c) => c.test.startsWith('ForAllValues:')).map((c) => `${where(s)}: ${c.test} on ${c.variable}`)),
  },
];
