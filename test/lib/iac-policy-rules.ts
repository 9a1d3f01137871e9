// The project's own infrastructure policy rules: only what no maintained tool checks. Everything else (wildcard
// actions and resources, public principals, encryption at rest, public databases, open ingress) is checkov's, in
// test/iac-lint.test.ts. Each rule reads a parsed module (test/lib/hcl.ts) and its IAM statements
// (test/lib/iam-statements.ts) and returns one message per break, naming where it is; `why` says why it exists.
import type { HclJson } from './hcl.ts';
import type { Statement } from './iam-statements.ts';

export interface ModuleFacts {
  module: HclJson;
  statements: Statement[];
}

export interface Rule {
  id: string;
  forbids: string;
  /** Why the project keeps this rule itself: what the maintained tools lack. */
  why: string;
  exceptions: string;
  check: (facts: ModuleFacts) => string[];
}

const isOidcTrust = (s: Statement) =>
  s.actions.includes('sts:AssumeRoleWithWebIdentity') || s.principals.some((p) => p.type === 'Federated');
const where = (s: Statement) => `${s.where} (${s.kind} policy, ${s.effect})`;
const allows = (facts: ModuleFacts) => facts.statements.filter((s) => s.effect === 'Allow');

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
    id: 'oidc-sub-pinned',
    forbids: 'a federated (OIDC) trust statement without StringEquals on :sub, or :sub under StringLike, or a wildcard :sub value',
    why: 'checkov CKV_AWS_358 only asks that a GitHub OIDC trust names some organisation; we pin the repository and the GitHub environment (or pull_request) exactly, so a wildcard or StringLike :sub must fail',
    exceptions: 'none',
    check: oidcSubPinned,
  },
  {
    id: 'oidc-aud-pinned',
    forbids: 'a federated (OIDC) trust statement without StringEquals :aud = sts.amazonaws.com',
    why: 'no checkov or tflint rule reads the :aud condition of a web-identity trust',
    exceptions: 'none',
    check: oidcAudPinned,
  },
  {
    id: 'broad-managed-policy',
    forbids: 'naming AdministratorAccess, PowerUserAccess or IAMFullAccess anywhere in a module (attachment, managed_policy_arns, variable default, local)',
    why: 'checkov CKV_AWS_274 catches AdministratorAccess attached to a role only; PowerUserAccess and IAMFullAccess, and any of them as a variable default, pass it',
    exceptions:
      'PowerUserAccess as the default of github-oidc\'s infra_policy_arns: the manual, reviewer-gated infra role (GitHub environment <env>-infra) applies every unit of an environment, so it needs every service; it gets no IAM from it (PowerUserAccess excludes iam:*), its IAM rights are a separate statement scoped to the environment\'s name prefix, and the variable\'s validation refuses AdministratorAccess and IAMFullAccess',
    check: broadManagedPolicies,
  },
  {
    id: 'no-for-all-values',
    forbids: 'ForAllValues:* in an Allow statement (true when the key is absent, so it can grant to anyone)',
    why: 'no checkov or tflint rule looks at IAM condition set operators',
    exceptions: 'none',
    check: (facts) =>
      allows(facts).flatMap((s) => s.conditions.filter((c) => c.test.startsWith('ForAllValues:')).map((c) => `${where(s)}: ${c.test} on ${c.variable}`)),
  },
];
