// The project's own policy rules over every Terraform module (RULES in test/lib/iac-policy-rules.ts): only what
// checkov and tflint (test/iac-lint.test.ts) do not check, each saying why it exists. Each rule is proven able to
// fail on a tiny bad fixture module, and its exceptions are proven narrow on fixtures that must pass.
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
  for (const rule of RULES) t.true(rule.forbids.length > 10 && rule.why.length > 10 && rule.exceptions.length > 0, rule.id);
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
    // A policy document's statements are its top-level blocks (two spaces in, as terraform fmt writes them); deeper
    // `statement {` blocks are other resources' (a WAF rule's statement).
    t.is(fromDocuments, (text.match(/^ {2}(statement\s*\{|dynamic\s+"statement"\s*\{)/gm) ?? []).length, 'policy document statements');
  });
}

// Module conventions (HOUSE_STYLE.md) that no tool checks: a README with a usage example (its variable and output
// tables are terraform-docs', test/module-docs.test.ts; the file layout and typed, described variables and outputs
// are tflint's, test/iac-lint.test.ts), a tests folder, and a terraform test that trips every validation block.
for (const name of listModules()) {
  test(`module ${name} follows the module conventions`, async (t) => {
    const dir = join(modulesDir, name);
    const files = readdirSync(dir);
    for (const required of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md', 'tests']) t.true(files.includes(required), `missing ${required}`);
    const module = await parseModule(dir);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    t.regex(readme, /```hcl[\s\S]*source\s*=/, 'README has a usage example');
    const tests = readdirSync(join(dir, 'tests'))
      .filter((file) => file.endsWith('.tftest.hcl'))
      .map((file) => readFileSync(join(dir, 'tests', file), 'utf8'))
      .join('\n');
    const tripped = new Set([...tests.matchAll(/expect_failures\s*=\s*\[([^\]]*)\]/g)].flatMap((match) => [...match[1]!.matchAll(/var\.(\w+)/g)].map((v) => v[1])));
    for (const [variable, [block]] of Object.entries<HclJson[]>(module.variable ?? {})) {
      if (block?.validation) t.true(tripped.has(variable), `a terraform test trips the validation of ${variable} (expect_failures)`);
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

const badFixtures: [string, string, string][] = [
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
