// Rules for GitHub Actions workflows and composite actions, as pure functions over the parsed YAML
// (and, for pins, the raw text) that return human-readable findings. test/workflows.test.ts runs them
// on the real files, expecting none, and on small bad fixtures, expecting each rule to fire.
import { parse } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Yaml = Record<string, any>;

export interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  'runs-on'?: unknown;
  uses?: string;
  environment?: string | { name?: string; url?: string };
  permissions?: string | Record<string, string>;
  'timeout-minutes'?: number | string;
  concurrency?: string | { group?: string };
  steps?: Step[];
  strategy?: { matrix?: { include?: Record<string, string>[] } };
}

export function parseYaml(text: string): Yaml {
  return parse(text) as Yaml;
}

export function jobsOf(workflow: Yaml): [string, Job][] {
  return Object.entries<Job>(workflow.jobs ?? {});
}

/** Every step in a workflow or in a composite action (runs.steps). */
export function stepsOf(doc: Yaml): [string, Step][] {
  if (doc.runs?.steps) return (doc.runs.steps as Step[]).map((step) => ['(composite)', step]);
  return jobsOf(doc).flatMap(([id, job]) => (job.steps ?? []).map((step): [string, Step] => [id, step]));
}

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;
const USES_LINE = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(.*))?$/;

/**
 * `uses:` must be a local action (./...) or owner/repo@<40-hex commit SHA> followed by a version
 * comment (`# v4.2.2`), so that a moved tag can never change the code we run and a human can still
 * tell which release it is. Docker actions must be pinned by digest. Works on the raw text because
 * the YAML parser drops comments.
 */
export function unpinnedUses(text: string): string[] {
  const findings: string[] = [];
  text.split('\n').forEach((line, index) => {
    const match = USES_LINE.exec(line);
    if (!match) return;
    const [, ref = '', comment] = match;
    const where = `line ${index + 1}: ${ref}`;
    if (ref.startsWith('./')) return;
    if (ref.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref)) findings.push(`${where} is a docker image not pinned by digest`);
      return;
    }
    if (!SHA_PIN.test(ref)) findings.push(`${where} is not pinned to a full 40-character commit SHA`);
    else if (!comment || !/^v?\d+(\.\d+)*/.test(comment.trim())) findings.push(`${where} has no version comment (# vX.Y.Z)`);
  });
  return findings;
}

const ROLE_ACTION = 'aws-actions/configure-aws-credentials@';
const COMMENT_ACTION = 'actions/github-script@';

export function assumesRole(job: Job): boolean {
  return (job.steps ?? []).some((step) => step.uses?.startsWith(ROLE_ACTION));
}

/** Role ARNs a job assumes; `${{ matrix.x }}` is expanded over the matrix's include entries. */
export function assumedRoles(job: Job): Array<{ arn: string; matrix?: Record<string, string> }> {
  const roles: Array<{ arn: string; matrix?: Record<string, string> }> = [];
  for (const step of job.steps ?? []) {
    if (!step.uses?.startsWith(ROLE_ACTION)) continue;
    const raw = String(step.with?.['role-to-assume'] ?? '');
    const matrixKey = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(raw)?.[1];
    if (matrixKey) {
      for (const entry of job.strategy?.matrix?.include ?? []) roles.push({ arn: String(entry[matrixKey] ?? ''), matrix: entry });
    } else {
      roles.push({ arn: raw });
    }
  }
  return roles;
}

export function roleArnsOf(job: Job): string[] {
  return assumedRoles(job).map(({ arn }) => arn);
}

/**
 * Least privilege: the top level grants at most read scopes; a job may add `id-token: write` only if
 * it assumes an AWS role, `pull-requests: write` only if it comments through github-script, and no
 * other write scope. A job that assumes a role must grant id-token itself (not inherit it).
 */
export function permissionFindings(workflow: Yaml): string[] {
  const findings: string[] = [];
  const top = workflow.permissions;
  if (top === undefined) findings.push('top-level permissions are missing (the default token is read-write)');
  else if (typeof top === 'string') findings.push(`top-level permissions "${top}" is not least-privilege`);
  else {
    for (const [scope, level] of Object.entries<string>(top)) {
      if (level === 'write') findings.push(`top-level permissions grant ${scope}: write; grant it in the job that needs it`);
    }
  }
  for (const [id, job] of jobsOf(workflow)) {
    const permissions = job.permissions;
    if (typeof permissions === 'string') {
      if (permissions !== 'read-all' && permissions !== '{}') findings.push(`job ${id}: permissions "${permissions}" is not least-privilege`);
      continue;
    }
    const granted = permissions ?? {};
    for (const [scope, level] of Object.entries(granted)) {
      if (level !== 'write') continue;
      if (scope === 'id-token' && assumesRole(job)) continue;
      if (scope === 'pull-requests' && (job.steps ?? []).some((s) => s.uses?.startsWith(COMMENT_ACTION))) continue;
      findings.push(`job ${id}: ${scope}: write is not needed by this job`);
    }
    if (assumesRole(job) && granted['id-token'] !== 'write') findings.push(`job ${id}: assumes an AWS role without id-token: write`);
  }
  return findings;
}

/** Every job that runs on a runner needs a timeout (the default is six hours). */
export function timeoutFindings(workflow: Yaml): string[] {
  return jobsOf(workflow)
    .filter(([, job]) => job.uses === undefined && job['timeout-minutes'] === undefined)
    .map(([id]) => `job ${id} has no timeout-minutes`);
}

export function environmentName(job: Job): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

/** The deployment environment a GitHub environment applies to: `<env>-infra` (infra.yml's reviewers) applies to `<env>`. */
export function targetEnvironment(environment: string): string {
  return environment.replace(/-infra$/, '');
}

/** A job that changes an environment: it assumes a role other than the read-only plan role, or applies. */
export function changesAnEnvironment(job: Job, planRoleNames: Set<string>): boolean {
  const roleChanges = roleArnsOf(job).some((arn) => !planRoleNames.has(arn.split('/').pop() ?? ''));
  const applies = (job.steps ?? []).some(
    (step) => /\bapply\b/.test(step.run ?? '') || /deploy-app|terragrunt-stack/.test(step.uses ?? ''),
  );
  return roleChanges || applies;
}

/**
 * Every job that changes an environment runs in a GitHub environment (that is what pins its OIDC `sub`
 * and applies the reviewers), and one that touches prod runs in `prod` itself (or `prod-infra`).
 */
export function environmentFindings(workflow: Yaml, prodAccountIds: Set<string>, planRoleNames: Set<string>): string[] {
  const findings: string[] = [];
  for (const [id, job] of jobsOf(workflow)) {
    if (!changesAnEnvironment(job, planRoleNames)) continue;
    const environment = environmentName(job);
    const touchesProd =
      /prod/i.test(id) || roleArnsOf(job).some((arn) => prodAccountIds.has(arn.split(':')[4] ?? ''));
    if (!environment) findings.push(`job ${id} changes an environment but has no environment`);
    else if (touchesProd && targetEnvironment(environment) !== 'prod') findings.push(`job ${id} deploys to prod but its environment is "${environment}"`);
    if (!job.concurrency) findings.push(`job ${id} changes an environment but has no concurrency group`);
  }
  return findings;
}

// Contexts an outsider can influence, or whose text is not a fixed shape: expanded into a script they
// become code (script injection). Pass them through `env:` and quote the variable instead.
const UNTRUSTED = [
  /github\.event\b/,
  /github\.head_ref\b/,
  /\binputs\./,
  /\bsteps\.[^.]+\.outputs\b/,
  /\bneeds\.[^.]+\.outputs\b/,
];

/** No `${{ ... }}` with an untrusted context inside a run: script (workflows and composite actions). */
export function untrustedRunFindings(doc: Yaml): string[] {
  const findings: string[] = [];
  for (const [id, step] of stepsOf(doc)) {
    for (const [, expression = ''] of (step.run ?? '').matchAll(/\$\{\{(.*?)\}\}/gs)) {
      if (UNTRUSTED.some((pattern) => pattern.test(expression))) {
        findings.push(`job ${id}: run: expands \${{${expression}}}; pass it through env: instead`);
      }
    }
  }
  return findings;
}
