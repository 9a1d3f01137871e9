// What the github-oidc trust policies allow, read from the live tree (each account's
// _global/github-oidc unit, evaluated with the live-tree evaluator, over the module's variable
// defaults), and a rule that checks the roles and environments the workflows use against it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { liveDir, modulesDir, parseHclFile, parseModule, type HclJson } from './hcl.ts';
import { evaluateInputs, HclCache, loadUnit } from './live-tree.ts';
import { assumedRoles, environmentName, jobsOf, type Job, type Yaml } from './workflow-rules.ts';

export interface AccountTrust {
  account: string;
  accountId: string;
  /** Role name trusted for `repo:<repo>:pull_request` (read-only). */
  planRole: string;
  /** Role name trusted for `repo:<repo>:environment:<name>` for each of deployEnvironments. */
  deployRole: string;
  deployEnvironments: string[];
}

export interface OidcTrust {
  repository: string;
  accounts: AccountTrust[];
}

// The input names of terragrunt/modules/github-oidc that carry the trust.
export const TRUST_INPUTS = {
  repository: 'github_repository',
  planRole: 'plan_role_name',
  deployRole: 'deploy_role_name',
  deployEnvironments: 'deploy_environments',
} as const;

function moduleDefaults(module: HclJson): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, [block]] of Object.entries<HclJson[]>(module.variable ?? {})) {
    if (block && 'default' in block) defaults[name] = block.default;
  }
  return defaults;
}

/** Reads the trust of every account that has a _global/github-oidc unit. */
export async function loadOidcTrust(live = liveDir, modules = modulesDir): Promise<OidcTrust> {
  if (!existsSync(join(modules, 'github-oidc', 'variables.tf'))) throw new Error('terragrunt/modules/github-oidc/variables.tf does not exist');
  const cache = await new HclCache().load(join(live, '..'));
  const defaults = moduleDefaults(await parseModule(join(modules, 'github-oidc')));
  const accounts: AccountTrust[] = [];
  let repository: string | undefined;
  for (const account of readdirSync(live).filter((name) => existsSync(join(live, name, 'account.hcl'))).sort()) {
    const unitFile = join(live, account, '_global', 'github-oidc', 'terragrunt.hcl');
    if (!existsSync(unitFile)) continue;
    const accountHcl = await parseHclFile(join(live, account, 'account.hcl'));
    const accountId = String(accountHcl.locals?.[0]?.account_id ?? '');
    const { values, unevaluable } = evaluateInputs(cache, loadUnit(cache, unitFile));
    const inputs: Record<string, unknown> = { ...defaults, ...values };
    const need = (key: string) => {
      if (key in unevaluable) throw new Error(`${account}/_global/github-oidc: input ${key} cannot be evaluated: ${unevaluable[key]}`);
      if (inputs[key] === undefined) throw new Error(`${account}/_global/github-oidc: no value or default for ${key}`);
      return inputs[key];
    };
    repository ??= String(need(TRUST_INPUTS.repository));
    accounts.push({
      account,
      accountId,
      planRole: String(need(TRUST_INPUTS.planRole)),
      deployRole: String(need(TRUST_INPUTS.deployRole)),
      deployEnvironments: (need(TRUST_INPUTS.deployEnvironments) as string[]).map(String).sort(),
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
        } else if (roleName === account.deployRole) {
          if (!environment) findings.push(`${where}: deploy role ${roleName} without an environment`);
          else if (!account.deployEnvironments.includes(environment)) {
            findings.push(`${where}: ${account.account} deploy role is not trusted for environment ${environment} (trusted: ${account.deployEnvironments.join(', ')})`);
          }
        } else {
          findings.push(`${where}: ${roleName} is not a role of the github-oidc trust in ${account.account}`);
          continue;
        }
        for (const target of targets(job, matrix)) {
          const ok = target.startsWith('terragrunt/live/')
            ? target.startsWith(`terragrunt/live/${account.account}/`) && (!environment || target.split('/').includes(environment))
            : target.startsWith(`${account.accountId}.dkr.ecr.`);
          if (!ok) findings.push(`${where}: ${target} does not belong to ${account.account}${environment ? `/${environment}` : ''}`);
        }
      }
    }
  }
  return findings;
}
