// Repository-wide policy check of every Terraform module: the rule table is RULES in
// test/lib/iac-policy-rules.ts. Each rule is also proven able to fail on a tiny bad fixture module, and its
// exceptions are proven narrow on fixtures that must pass.
import test from 'ava';
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listModules, modulesDir, parseModule, type HclJson } from './lib/hcl.ts';
import { moduleStatements, objectSpans } from './lib/iam-statements.ts';
import { RULES } from './lib/iac-policy-rules.ts';

async function violations(module: HclJson): Promise<string[]> {
  const statements = await moduleStatements(module);
  return RULES.flatMap((rule) => rule.check({ module, statements }).map((message) => `${rule.id}: ${message}`));
}

const fixture = async (text: string) => violations((await parse('fixture.tf', text)) as HclJson);

test('the rule table has unique ids and says what each rule forbids', (t) => {
  t.is(new Set(RULES.map((rule) => rule.id)).size, RULES.length);
  for (const rule of RULES) t.true(rule.forbids.length > 10 && rule.exceptions.length > 0, rule.id);
});

for (const name of listModules()) {
  test(`module ${name} breaks no policy rule`, async (t) => {
    const dir = join(modulesDir, name);
    const files = readdirSync(dir).filter((file) => file.endsWith('.tf'));
    t.true(files.length > 0, `${name} has no .tf files`);
    t.deepEqual(await violations(await parseModule(dir)), []);
  });

  // The statement reader must see every statement a module writes, or the rules above would pass vacuously.
  test(`module ${name}: every IAM statement is read`, async (t) => {
    const dir = join(modulesDir, name);
    const text = readdirSync(dir)
      .filter((file) => file.endsWith('.tf'))
      .map((file) => readFileSync(join(dir, file), 'utf8').replace(/^\s*(#|\/\/).*$/gm, ''))
      .join('\n');
    const statements = await moduleStatements(await parseModule(dir));
    const fromDocuments = statements.filter((s) => s.where.startsWith('data.aws_iam_policy_document.')).length;
    t.is(statements.length - fromDocuments, (text.match(/\bEffect\s*=/g) ?? []).length, 'jsonencode statements');
    t.is(fromDocuments, (text.match(/^\s*(statement\s*\{|dynamic\s+"statement"\s*\{)/gm) ?? []).length, 'policy document statements');
  });
}

// Module conventions (HOUSE_STYLE.md): the terraform-aws-modules layout, typed and described variables,
// described outputs, README input/output tables that name every one, and a terraform test that trips every
// validation block.
for (const name of listModules()) {
  test(`module ${name} follows the module conventions`, async (t) => {
    const dir = join(modulesDir, name);
    const files = readdirSync(dir);
    for (const required of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md', 'tests']) t.true(files.includes(required), `missing ${required}`);
    const module = await parseModule(dir);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const section = (title: string) => readme.split(new RegExp(`^#+\\s*${title}\\s*$`, 'im'))[1]?.split(/^#+ /m)[0] ?? '';
    t.regex(readme, /```hcl[\s\S]*source\s*=/, 'README has a usage example');
    const tests = readdirSync(join(dir, 'tests'))
      .filter((file) => file.endsWith('.tftest.hcl'))
      .map((file) => readFileSync(join(dir, 'tests', file), 'utf8'))
      .join('\n');
    const tripped = new Set([...tests.matchAll(/expect_failures\s*=\s*\[([^\]]*)\]/g)].flatMap((match) => [...match[1]!.matchAll(/var\.(\w+)/g)].map((v) => v[1])));
    for (const [variable, [block]] of Object.entries<HclJson[]>(module.variable ?? {})) {
      t.truthy(block?.type, `variable ${variable} has a type`);
      t.true(String(block?.description ?? '').length > 10, `variable ${variable} is described`);
      t.regex(section('Inputs'), new RegExp(`\\b${variable}\\b`), `README Inputs names ${variable}`);
      if (block?.validation) t.true(tripped.has(variable), `a terraform test trips the validation of ${variable} (expect_failures)`);
    }
    for (const [output, [block]] of Object.entries<HclJson[]>(module.output ?? {})) {
      t.true(String(block?.description ?? '').length > 10, `output ${output} is described`);
      t.regex(section('Outputs'), new RegExp(`\\b${output}\\b`), `README Outputs names ${output}`);
    }
  });
}

const trust = (conditions: string) => `
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = ${conditions}
    }]
  })
}`;

const rolePolicy = (statement: string) => `
resource "aws_iam_role_policy" "this" {
  role   = "r"
  policy = jsonencode({ Version = "2012-10-17", Statement = [${statement}] })
}`;

const badFixtures: [string, string, string][] = [
  ['iam-action-wildcard', 'service wildcard in jsonencode', rolePolicy('{ Effect = "Allow", Action = ["s3:*"], Resource = [aws_s3_bucket.state.arn] }')],
  [
    'iam-action-wildcard',
    '"*" in a policy document',
    `data "aws_iam_policy_document" "admin" {
       statement {
         actions   = ["*"]
         resources = [var.bucket_arn]
       }
     }
     resource "aws_iam_policy" "admin" { policy = data.aws_iam_policy_document.admin.json }`,
  ],
  ['iam-action-wildcard', 'NotAction in an Allow', rolePolicy('{ Effect = "Allow", NotAction = "iam:*", Resource = var.arn }')],
  [
    'iam-action-wildcard',
    'kms:* for a role in a key policy',
    `resource "aws_kms_key" "this" {
       policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = aws_iam_role.app.arn }, Action = "kms:*", Resource = "*" }] })
     }`,
  ],
  [
    'iam-resource-wildcard',
    'GetObject on "*" in a policy document',
    `data "aws_iam_policy_document" "read" {
       statement {
         actions   = ["s3:GetObject", "ecr:GetAuthorizationToken"]
         resources = ["*"]
       }
     }
     resource "aws_iam_role_policy" "read" { policy = data.aws_iam_policy_document.read.json }`,
  ],
  ['iam-resource-wildcard', 'NotResource', rolePolicy('{ Effect = "Allow", Action = "s3:GetObject", NotResource = var.arn }')],
  [
    'iam-public-principal',
    'public bucket policy',
    `resource "aws_s3_bucket_policy" "this" {
       bucket = "b"
       policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*" }] })
     }`,
  ],
  ['unencrypted-storage', 'S3 bucket without SSE', 'resource "aws_s3_bucket" "logs" { bucket = "logs" }'],
  ['unencrypted-storage', 'RDS unencrypted', 'resource "aws_db_instance" "this" { storage_encrypted = false }'],
  ['unencrypted-storage', 'log group without KMS', 'resource "aws_cloudwatch_log_group" "this" { name = "x" }'],
  ['unencrypted-storage', 'ECR with AES256', 'resource "aws_ecr_repository" "this" {\n encryption_configuration {\n encryption_type = "AES256"\n }\n}'],
  ['unencrypted-storage', 'SNS without KMS', 'resource "aws_sns_topic" "alarms" { name = "alarms" }'],
  ['unencrypted-storage', 'secret on the AWS-managed key', 'resource "aws_secretsmanager_secret" "this" { name = "x" }'],
  ['publicly-accessible', 'public RDS', 'resource "aws_db_instance" "this" {\n storage_encrypted = true\n publicly_accessible = true\n}'],
  ['publicly-accessible', 'public RDS through a variable', 'resource "aws_db_instance" "this" {\n storage_encrypted = true\n publicly_accessible = var.public\n}'],
  ['open-ingress', 'ingress rule from anywhere', 'resource "aws_vpc_security_group_ingress_rule" "db" {\n cidr_ipv4 = "0.0.0.0/0"\n from_port = 5432\n}'],
  ['open-ingress', 'IPv6 ingress rule from anywhere', 'resource "aws_vpc_security_group_ingress_rule" "db" {\n cidr_ipv6 = "::/0"\n}'],
  ['open-ingress', 'inline ingress', 'resource "aws_security_group" "db" {\n ingress {\n from_port = 22\n to_port = 22\n protocol = "tcp"\n cidr_blocks = ["0.0.0.0/0"]\n }\n}'],
  ['open-ingress', 'port 443 from anywhere to a group no public load balancer uses', 'resource "aws_security_group" "alb" {}\nresource "aws_lb" "public" {\n internal = false\n security_groups = [aws_security_group.alb.id]\n}\nresource "aws_security_group" "tasks" {}\nresource "aws_vpc_security_group_ingress_rule" "tasks" {\n security_group_id = aws_security_group.tasks.id\n cidr_ipv4 = "0.0.0.0/0"\n from_port = 443\n to_port = 443\n}'],
  ['open-ingress', 'a port other than 80/443 from anywhere to a public load balancer', 'resource "aws_security_group" "alb" {}\nresource "aws_lb" "public" {\n internal = false\n security_groups = [aws_security_group.alb.id]\n}\nresource "aws_vpc_security_group_ingress_rule" "alb" {\n security_group_id = aws_security_group.alb.id\n cidr_ipv4 = "0.0.0.0/0"\n from_port = 8080\n to_port = 8080\n}'],
  ['open-ingress', 'port 443 from anywhere to an internal load balancer', 'resource "aws_security_group" "alb" {}\nresource "aws_lb" "private" {\n internal = true\n security_groups = [aws_security_group.alb.id]\n}\nresource "aws_vpc_security_group_ingress_rule" "alb" {\n security_group_id = aws_security_group.alb.id\n cidr_ipv4 = "0.0.0.0/0"\n from_port = 443\n to_port = 443\n}'],
  ['open-ingress', 'legacy rule', 'resource "aws_security_group_rule" "ssh" {\n type = "ingress"\n cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]\n}'],
  ['broad-managed-policy', 'AdministratorAccess attached', 'resource "aws_iam_role_policy_attachment" "admin" {\n role = "r"\n policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}'],
  ['broad-managed-policy', 'PowerUserAccess as another variable\'s default', 'variable "read_only_policy_arns" {\n type = list(string)\n default = ["arn:aws:iam::aws:policy/PowerUserAccess"]\n}'],
  ['broad-managed-policy', 'AdministratorAccess as infra_policy_arns\' default', 'variable "infra_policy_arns" {\n type = list(string)\n default = ["arn:aws:iam::aws:policy/AdministratorAccess"]\n}'],
  ['oidc-sub-pinned', 'trust without sub', trust('{ StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" } }')],
  [
    'oidc-sub-pinned',
    'wildcard repository under StringLike',
    trust('{ StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }, StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" } }'),
  ],
  ['oidc-aud-pinned', 'trust without aud', trust('{ StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/auth-platform:environment:prod" } }')],
  [
    'oidc-aud-pinned',
    'aud through a local that is not sts.amazonaws.com',
    `locals {\n audience = "https://github.com/acme"\n}\n${trust('{ StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/auth-platform:pull_request", "token.actions.githubusercontent.com:aud" = local.audience } }')}`,
  ],
  [
    'no-for-all-values',
    'ForAllValues on sub',
    trust(
      '{ StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com", "token.actions.githubusercontent.com:sub" = "repo:acme/auth-platform:pull_request" }, "ForAllValues:StringEquals" = { "token.actions.githubusercontent.com:sub" = ["repo:acme/auth-platform:pull_request"] } }',
    ),
  ],
];

for (const [ruleId, description, text] of badFixtures) {
  test(`rule ${ruleId} fails on a bad fixture: ${description}`, async (t) => {
    const found = await fixture(text);
    t.true(found.some((message) => message.startsWith(`${ruleId}: `)), found.join('\n') || 'no violation found');
  });
}

test('every rule has at least one bad fixture', (t) => {
  for (const rule of RULES) t.true(badFixtures.some(([id]) => id === rule.id), rule.id);
});

const goodFixtures: [string, string][] = [
  [
    'the default key-policy statement for the account root',
    `resource "aws_kms_key" "this" {
       policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "arn:\${local.partition}:iam::\${local.account_id}:root" }, Action = "kms:*", Resource = "*" }] })
     }`,
  ],
  ['registry login on "*"', rolePolicy('{ Effect = "Allow", Action = ["ecr:GetAuthorizationToken"], Resource = "*" }')],
  ['a TLS-only deny with s3:* and Principal "*"', rolePolicy('{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*", Condition = { Bool = { "aws:SecureTransport" = "false" } } }')],
  ['egress to anywhere', 'resource "aws_vpc_security_group_egress_rule" "https" {\n cidr_ipv4 = "0.0.0.0/0"\n from_port = 443\n}'],
  ['a private, encrypted database', 'resource "aws_db_instance" "this" {\n storage_encrypted = true\n publicly_accessible = false\n}'],
  [
    'an S3 bucket with its SSE configuration',
    'resource "aws_s3_bucket" "state" { bucket = "s" }\nresource "aws_s3_bucket_server_side_encryption_configuration" "state" { bucket = aws_s3_bucket.state.id }',
  ],
  [
    'a pinned OIDC trust in a policy document',
    `data "aws_iam_policy_document" "trust" {
       statement {
         actions = ["sts:AssumeRoleWithWebIdentity"]
         principals {
           type        = "Federated"
           identifiers = [var.provider_arn]
         }
         condition {
           test     = "StringEquals"
           variable = "token.actions.githubusercontent.com:aud"
           values   = ["sts.amazonaws.com"]
         }
         condition {
           test     = "StringEquals"
           variable = "\${local.issuer}:sub"
           values   = ["repo:acme/auth-platform:environment:\${var.environment}"]
         }
       }
     }
     resource "aws_iam_role" "deploy" { assume_role_policy = data.aws_iam_policy_document.trust.json }`,
  ],
];

goodFixtures.push(['HTTPS from anywhere to the group of an internet-facing load balancer (the documented exception)', 'resource "aws_security_group" "alb" {}\nresource "aws_lb" "public" {\n internal = false\n security_groups = [aws_security_group.alb.id]\n}\nresource "aws_vpc_security_group_ingress_rule" "https" {\n security_group_id = aws_security_group.alb.id\n cidr_ipv4 = "0.0.0.0/0"\n from_port = 443\n to_port = 443\n}']);

goodFixtures.push(['PowerUserAccess as the default of infra_policy_arns (the documented exception)', 'variable "infra_policy_arns" {\n type = list(string)\n default = ["arn:aws:iam::aws:policy/PowerUserAccess"]\n}']);

goodFixtures.push([
  'aud through a local holding sts.amazonaws.com',
  `locals {\n audience = "sts.amazonaws.com"\n}\n${trust('{ StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/auth-platform:pull_request", "token.actions.githubusercontent.com:aud" = local.audience } }')}`,
]);

for (const [description, text] of goodFixtures) {
  test(`allowed: ${description}`, async (t) => {
    t.deepEqual(await fixture(text), []);
  });
}

test('object literals are found outside strings and comments only', (t) => {
  const text = '${jsonencode({ a = "}{ ${x}", # {\n b = { c = 1 } /* } */ })}';
  t.deepEqual(
    objectSpans(text).map(([start, end]) => text.slice(start, end)),
    ['{ c = 1 }', '{ a = "}{ ${x}", # {\n b = { c = 1 } /* } */ }'],
  );
});
