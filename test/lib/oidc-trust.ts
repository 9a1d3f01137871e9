// What the github-oidc trust policies allow, read from the live tree (each account's
// _global/github-oidc unit, rendered by the real Terragrunt, over the module's variable defaults), and a rule that checks the roles and environments the workflows use against it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { liveDir, modulesDir, parseHclFile, parseModule, type HclJson } from './hcl.ts';
import { renderUnit } from './terragrunt.ts';
import { assumedRoles, environmentName, jobsOf, targetEnvironment, type Job, type Yaml } from './workflow-rules.ts';

export interface AccountTrust {
  account: string;
  accountId: string;
  /** Role name trusted for `repo:<repo>:pull_request` (read-only). */
  planRole: string;
  /** Deploy role name per GitHub environment, each trusted for `repo:<repo>:environment:<name>` only. */
  deployRoles: Record<string, string>;
  /** Infra role name per environment, each trusted for `repo:<repo>:environment:<name>-infra` only. */
  infraRoles: Record<string, string>;
}

export interface OidcTrust {
  /** owner/name as the trust's `sub` spells it. */
  repository: string;
  accounts: AccountTrust[];
}

/** Every environment some account's deploy role trusts. */
export function deployEnvironments(account: AccountTrust): string[] {
  return Object.keys(account.deployRoles).sort();
}

/** Reads a role's name template from the module (e.g. "${var.name_prefix}-deploy-${each.key}") and fills it in. */
function roleName(module: HclJson, resource: string, values: Record<string, string>): string {
  const template = module.resource?.aws_iam_role?.[resource]?.[0]?.name;
  if (typeof template !== 'string') throw new Error(`github-oidc has no aws_iam_role.${resource} with a name`);
  const name = template.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
    const value = values[expression.trim()];
    if (value === undefined) throw new Error(`cannot evaluate \${${expression}} in aws_iam_role.${resource}.name`);
    return value;
  });
  return name;
}

function moduleDefaults(module: HclJson): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, [block]] of Object.entries<HclJson[]>(module.variable ?? {})) {
    if (block && 'default' in block) defaults[name] = block.default;
  }
  return defaults;
}

/**
 * Reads the trust of every account that has a _global/github-oidc unit: the unit's inputs as
 * `terragrunt render` gives them, over the module's defaults, and the role names from the module's own templates.
 */
export async function loadOidcTrust(live = liveDir, modules = modulesDir): Promise<OidcTrust> {
  if (!existsSync(join(modules, 'github-oidc', 'variables.tf'))) throw new Error('terragrunt/modules/github-oidc/variables.tf does not exist');
  const module = await parseModule(join(modules, 'github-oidc'));
  const defaults = moduleDefaults(module);
  const accounts: AccountTrust[] = [];
  let repository: string | undefined;
  for (const account of readdirSync(live).filter((name) => existsSync(join(live, name, 'account.hcl'))).sort()) {
    const unitFile = join(live, account, '_global', 'github-oidc', 'terragrunt.hcl');
    if (!existsSync(unitFile)) continue;
    const accountHcl = await parseHclFile(join(live, account, 'account.hcl'));
    const accountId = String(accountHcl.locals?.[0]?.account_id ?? '');
    const values = (await renderUnit(join(live, account, '_global', 'github-oidc'))).inputs;
    const inputs: Record<string, unknown> = { ...defaults, ...values };
    const need = (key: string) => {
      if (inputs[key] === undefined || inputs[key] === null) throw new Error(`${account}/_global/github-oidc: no value or default for ${key}`);
      return inputs[key];
    };
    const slug = `${String(need('github_owner'))}/${String(need('github_repository'))}`;
    if (repository && repository !== slug) throw new Error(`accounts trust different repositories: ${repository} and ${slug}`);
    repository = slug;
    const prefix = String(need('name_prefix'));
    const environments = Object.keys(need('deploy_environments') as Record<string, unknown>).sort();
    const infraEnvironments = Object.keys(need('infra_environments') as Record<string, unknown>).sort();
    accounts.push({
      account,
      accountId,
      planRole: roleName(module, 'plan', { 'var.name_prefix': prefix }),
      deployRoles: Object.fromEntries(environments.map((env) => [env, roleName(module, 'deploy', { 'var.name_prefix': prefix, 'each.key': env })])),
      infraRoles: Object.fromEntries(infraEnvironments.map((env) => [env, roleName(module, 'infra', { 'var.name_prefix': prefix, 'each.key': env })])),
    });
  }
  if (!repository || accounts.length === 0) throw new Error('no _global/github-oidc unit found in the live tree');
  return { repository, accounts };
}

const ARN = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@-]+)$/;

function triggers(workflow: Yaml): string[] {
  const on = workflow.on ?? workflow[true as unknown as string];
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(on ?? {});
}

/** Literal paths and registries a job works on, which must belong to the account of its role. */
function targets(job: Job, matrix?: Record<string, string>): string[] {
  const values = (job.steps ?? []).flatMap((step) => Object.values(step.with ?? {}).map(String));
  if (matrix) values.push(...Object.values(matrix).map(String));
  return values.filter((value) => value.startsWith('terragrunt/live/') || /\.dkr\.ecr\./.test(value));
}

export function trustFindings(workflows: Map<string, Yaml>, trust: OidcTrust): string[] {
  const findings: string[] = [];
  for (const [path, workflow] of workflows) {
    const on = triggers(workflow);
    for (const [id, job] of jobsOf(workflow)) {
      const where = `${path} job ${id}`;
      const environment = environmentName(job);
      for (const { arn, matrix } of assumedRoles(job)) {
        const match = ARN.exec(arn);
        if (!match) {
          findings.push(`${where}: "${arn}" is not a literal role ARN`);
          continue;
        }
        const [, accountId, roleName] = match;
        const account = trust.accounts.find((a) => a.accountId === accountId);
        if (!account) {
          findings.push(`${where}: ${arn} is in an unknown account (not in any account.hcl)`);
          continue;
        }
        if (roleName === account.planRole) {
          if (on.some((trigger) => trigger !== 'pull_request')) {
            findings.push(`${where}: plan role ${roleName} is used outside pull_request (triggers: ${on.join(', ')})`);
          }
          if (environment) findings.push(`${where}: plan role with an environment changes the OIDC sub; the trust expects pull_request`);
        } else if (Object.values(account.deployRoles).includes(roleName!) || Object.values(account.infraRoles).includes(roleName!)) {
          // The GitHub environment each role's `sub` names: `<env>` for a deploy role, `<env>-infra` for an infra role.
          const kind = Object.values(account.deployRoles).includes(roleName!) ? 'deploy' : 'infra';
          const roles = kind === 'deploy' ? account.deployRoles : account.infraRoles;
          const trustedFor = Object.keys(roles).filter((env) => roles[env] === roleName).map((env) => (kind === 'deploy' ? env : `${env}-infra`));
          if (!environment) findings.push(`${where}: ${kind} role ${roleName} without an environment`);
          else if (!trustedFor.includes(environment)) {
            findings.push(`${where}: ${roleName} is not trusted for environment ${environment} (trusted: ${trustedFor.join(', ')})`);
          }
        } else {
          findings.push(`${where}: ${roleName} is not a role of the github-oidc trust in ${account.account}`);
          continue;
        }
        for (const target of targets(job, matrix)) {
          const ok = target.startsWith('terragrunt/live/')
            ? target.startsWith(`terragrunt/live/${account.account}/`) && (!environment || target.split('/').includes(targetEnvironment(environment)))
            : target.startsWith(`${account.accountId}.dkr.ecr.`);
          if (!ok) findings.push(`${where}: ${target} does not belong to ${account.account}${environment ? `/${environment}` : ''}`);
        }
      }
    }
  }
  return findings;
}
