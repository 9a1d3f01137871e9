#!/usr/bin/env node
// npm run rehearse -- <account>/<region>/<env>     e.g. npm run rehearse -- nonprod/eu-west-1/dev
//
// Bring-up rehearsal (issue 16): an environment applied from nothing, planned again (no changes), destroyed and
// applied again, with the real Terragrunt and Terraform against moto's AWS API emulator on a loopback port.
// Every AWS SDK involved (Terragrunt's own, the S3 backend's, the provider's, the AWS CLI's) is pointed at the
// emulator with AWS_ENDPOINT_URL, the SDKs' standard setting ("Service-specific endpoints", AWS SDKs and Tools
// reference guide), and REHEARSAL=1 marks the run for the live tree; root.hcl and the generated files stay
// exactly as in a real run.
//
// The order is the one terragrunt/README.md ("Bootstrap", "First bring-up") and runbooks/new-environment.md print,
// run with the same commands and scripts; what moto cannot answer is listed in architecture/REHEARSAL_GAPS.md and
// printed as "skip" with its reason, never faked.
//
// It works on a throwaway copy of terragrunt/ and runbooks/ (Terragrunt writes caches and lock files next to the
// units), prints one line per step, and exits 1 at the first failure with the tail of that step's log.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { hclLocal as readHclLocal } from './lib/hcl-locals.mjs';
import { startMoto } from './lib/moto.mjs';
import { differingAttributes, emulatorGap, planChanges } from './lib/rehearsal-plan.mjs';
import { repoRoot, toolPath } from './lib/toolchain.mjs';
import { terraformEnv } from './lib/terraform-cli.mjs';

const USAGE = 'usage: npm run rehearse -- <account>/<region>/<env> [--until account|bring-up|plan|destroy]   (e.g. nonprod/eu-west-1/dev)';
// --until stops after a phase (the whole sequence by default): CI's .ci/run rehearses the account bootstrap only,
// the GitHub CI workflow the whole sequence (architecture/REHEARSAL_GAPS.md, "In CI").
const PHASES = ['account', 'bring-up', 'plan', 'destroy', 'rebuild'];

function fail(message) {
  process.stderr.write(`rehearse: ${message}\n`);
  process.exit(1);
}

const cliArgs = process.argv.slice(2);
const untilIndex = cliArgs.indexOf('--until');
const until = untilIndex === -1 ? 'rebuild' : cliArgs[untilIndex + 1];
if (!PHASES.includes(until)) fail(USAGE);
if (untilIndex !== -1) cliArgs.splice(untilIndex, 2);
if (cliArgs.length !== 1) fail(USAGE);
/** Ends the run after `phase` when --until names it. */
function phaseDone(phase) {
  if (phase !== until) return;
  process.stdout.write(`rehearsal of ${envPath} passed through "${phase}" (--until) in ${seconds(started)} s\n`);
  process.exit(0);
}
const envPath = cliArgs[0].replace(/^terragrunt\/live\//, '').replace(/\/$/, '');
const [accountName, regionName, envName, ...rest] = envPath.split('/');
if (!accountName || !regionName || !envName || rest.length) fail(USAGE);
const liveRoot = join(repoRoot, 'terragrunt', 'live');
if (!existsSync(join(liveRoot, envPath, 'env.hcl'))) fail(`no environment at terragrunt/live/${envPath}/env.hcl. ${USAGE}`);

let terragrunt;
let awsCli;
try {
  terragrunt = toolPath('terragrunt');
  toolPath('moto_server');
  awsCli = toolPath('aws');
} catch (error) {
  fail(error.message);
}
if (spawnSync('terraform', ['version'], { stdio: 'ignore' }).status !== 0) fail('terraform is not on PATH: install the version in .terraform-version');

/** A value from an HCL locals file of ours (account.hcl, env.hcl); a missing one ends the rehearsal. */
function hclLocal(file, name) {
  const value = readHclLocal(file, name);
  if (value === undefined) fail(`${relative(repoRoot, file)} has no ${name}`);
  return value;
}
const accountId = hclLocal(join(liveRoot, accountName, 'account.hcl'), 'account_id');
const homeRegion = hclLocal(join(liveRoot, accountName, 'account.hcl'), 'home_region');
const awsRegion = hclLocal(join(liveRoot, accountName, regionName, 'region.hcl'), 'aws_region');
const envHcl = join(liveRoot, envPath, 'env.hcl');
const computeTarget = readHclLocal(envHcl, 'compute_target') ?? 'apprunner';

// The work copy: terragrunt/ and runbooks/ (the runbook scripts find the live tree relative to themselves), and a
// link to node_modules for the scripts that run the app's ops CLIs.
const work = mkdtempSync(join(tmpdir(), 'auth-rehearsal-'));
chmodSync(work, 0o755);
// Registered before anything can fail (a failed copy, moto that does not start), so no work copy is left behind.
let moto;
function cleanUp() {
  moto?.stop();
  if (process.env.REHEARSAL_KEEP !== '1') rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
cpSync(join(repoRoot, 'terragrunt'), join(work, 'terragrunt'), {
  recursive: true,
  filter: (source) => !/[/](\.terragrunt-cache|\.terraform)$/.test(source),
});
cpSync(join(repoRoot, 'runbooks'), join(work, 'runbooks'), { recursive: true });
// A copy, not a link: the ops CLIs run only when their own path is the script path (import.meta.url is the
// resolved path, process.argv[1] would be the link's).
cpSync(join(repoRoot, 'app', 'src'), join(work, 'app', 'src'), { recursive: true });
cpSync(join(repoRoot, 'app', 'package.json'), join(work, 'app', 'package.json'));
symlinkSync(join(repoRoot, 'node_modules'), join(work, 'node_modules'));
const logs = join(work, 'logs');
mkdirSync(logs);
const envDir = join(work, 'terragrunt', 'live', envPath);
const globalDir = join(work, 'terragrunt', 'live', accountName, '_global');

try {
  moto = await startMoto(accountId, { logFile: join(logs, 'moto.log') });
} catch (error) {
  fail(error.message);
}
const endpoint = moto.url;

const imageTag = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const env = {
  ...terraformEnv(),
  REHEARSAL: '1',
  REHEARSAL_AWS_ENDPOINT: endpoint,
  // The AWS CLI (runbook scripts) honours AWS_ENDPOINT_URL (AWS CLI v1.29+/v2, "Service-specific endpoints").
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'rehearsal',
  AWS_SECRET_ACCESS_KEY: 'rehearsal',
  AWS_REGION: awsRegion,
  AWS_DEFAULT_REGION: awsRegion,
  AWS_EC2_METADATA_DISABLED: 'true',
  TG_NON_INTERACTIVE: 'true',
  TG_NO_COLOR: 'true',
  TF_IN_AUTOMATION: '1',
  PATH: `${join(toolPath('aws'), '..')}:${join(terragrunt, '..')}:${process.env.PATH}`,
};
delete env.AWS_PROFILE;

let stepNumber = 0;
const started = Date.now();
function seconds(since) {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/**
 * Runs one step: a command in a directory, its output to logs/NN-<slug>.log. Prints one line; on failure, the
 * last lines of the log, and exits 1.
 */
function step(title, cwd, command, args, { extraEnv = {}, input, okCodes = [0] } = {}) {
  stepNumber += 1;
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const logFile = join(logs, `${String(stepNumber).padStart(2, '0')}-${slug}.log`);
  const since = Date.now();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...env, ...extraEnv },
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  writeFileSync(logFile, `$ ${command} ${args.join(' ')}\n(in ${cwd})\n\n${result.stdout ?? ''}\n${result.stderr ?? ''}\n${result.error ?? ''}`);
  if (!okCodes.includes(result.status)) {
    process.stdout.write(`FAIL ${title} (${seconds(since)} s, exit ${result.status ?? result.signal})\n`);
    const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    process.stdout.write(`${tail}\n-- full log: ${logFile} (kept: REHEARSAL_KEEP=1 keeps the work folder)\n`);
    process.env.REHEARSAL_KEEP = '1';
    process.exit(1);
  }
  process.stdout.write(`ok   ${title} (${seconds(since)} s)\n`);
  return result;
}

function skip(title, reason) {
  process.stdout.write(`skip ${title}: ${reason}\n`);
}

const tg = (cwd, args, options) => step(`terragrunt ${args.join(' ')} in ${relative(join(work, 'terragrunt', 'live'), cwd)}`, cwd, terragrunt, args, options);

// ClickHouse Cloud is not rehearsed: its Terraform provider cannot be installed here (the Go module proxy refuses
// github.com/ClickHouse/terraform-provider-clickhouse, see architecture/REHEARSAL_GAPS.md). Under REHEARSAL=1 only,
// the app units' clickhouse dependency skips its outputs and lets the mock https_url reach the apply.
const excluded = ['clickhouse'];
// The app unit of each compute target (terragrunt/live/_envcommon/app.hcl and app-ecs.hcl).
const appUnits = { apprunner: 'app', 'ecs-fargate': 'app-ecs' };
const appUnit = appUnits[computeTarget];
if (!appUnit) fail(`env.hcl compute_target "${computeTarget}" is neither apprunner nor ecs-fargate`);

/** Writes a secret value the way runbooks/new-environment.md says: from a 0600 temp file, never argv. */
function putSecret(name, value) {
  const file = join(work, `secret-${name.replace(/\W+/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
  step(`aws secretsmanager put-secret-value ${name}`, work, awsCli, [
    'secretsmanager', 'put-secret-value', '--secret-id', name, '--secret-string', `file://${file}`,
  ]);
  rmSync(file);
}

/**
 * The certificate step of an ECS environment (env.hcl, app_certificate_arn): whoever owns the domain issues an ACM
 * certificate for app_public_url's host and writes its ARN into env.hcl. Here a self-signed certificate for that
 * host is imported into the emulator's ACM, and its ARN written into the work copy's env.hcl.
 */
function issueCertificate() {
  const host = new URL(hclLocal(envHcl, 'app_public_url')).hostname;
  const key = join(work, 'certificate.key');
  const certificate = join(work, 'certificate.pem');
  step(`openssl req: a certificate for ${host}`, work, 'openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${host}`,
    '-addext', `subjectAltName=DNS:${host}`, '-keyout', key, '-out', certificate,
  ]);
  const imported = step('aws acm import-certificate', work, awsCli, [
    'acm', 'import-certificate', '--certificate', `fileb://${certificate}`, '--private-key', `fileb://${key}`, '--output', 'json',
  ]);
  const arn = JSON.parse(imported.stdout).CertificateArn;
  // The work copy's env.hcl: the checkout is never written to.
  const workEnvHcl = join(envDir, 'env.hcl');
  const text = readFileSync(workEnvHcl, 'utf8');
  writeFileSync(workEnvHcl, text.replace(/^(\s*app_certificate_arn\s*=\s*)"[^"]*"/m, `$1"${arn}"`));
  rmSync(key);
}

function bringUpEnvironment(round) {
  const queueExcludes = [...excluded, ...Object.values(appUnits)].flatMap((unit) => ['--queue-exclude-dir', unit]);
  tg(envDir, ['run', '--all', ...queueExcludes, '--', 'apply']);
  // The secret values and first signing keys (runbooks/new-environment.md, "Secret values"), as the runbook writes them.
  const rdsOutputs = JSON.parse(tg(join(envDir, 'rds'), ['output', '-json']).stdout);
  const host = rdsOutputs.address?.value ?? rdsOutputs.endpoint?.value ?? 'db.invalid';
  putSecret(`auth/${envName}/database`, { url: `postgres://auth_app_blue:rehearsal@${host}:5432/auth`, username: 'auth_app_blue', password: 'rehearsal' });
  putSecret(`auth/${envName}/database-migration`, { url: `postgres://auth_owner:rehearsal@${host}:5432/auth`, username: 'auth_owner', password: 'rehearsal' });
  putSecret(`auth/${envName}/clickhouse`, { username: 'auth_app_blue', password: 'rehearsal', url: 'https://clickhouse.invalid:8443' });
  putSecret(`auth/${envName}/clickhouse-admin`, { username: 'default', password: 'rehearsal', url: 'https://clickhouse.invalid:8443' });
  step(`rotate-jwt-signing-keys.sh ${envName} emergency (first key set)`, work, 'bash', [
    join(work, 'runbooks', 'scripts', 'rotate-jwt-signing-keys.sh'), envName, 'emergency',
  ], { extraEnv: { SKIP_REDEPLOY: '1' } });
  skip(`database roles, ClickHouse database and users (round ${round})`, 'moto runs no PostgreSQL or ClickHouse server (architecture/REHEARSAL_GAPS.md)');
  if (computeTarget === 'apprunner') {
    skip(`${appUnit} unit (App Runner)`, 'moto does not emulate App Runner; dev runs on ecs-fargate and is rehearsed whole');
    return;
  }
  // apply-ecs-unit.sh's apply, with the digest deploy-app.sh reads from ECR; its wait and the smoke test need running
  // tasks and a reachable load balancer, which moto does not provide (architecture/REHEARSAL_GAPS.md).
  tg(join(envDir, appUnit), ['run', '--non-interactive', '--', 'apply', '-auto-approve', '-input=false'], { extraEnv: { IMAGE_TAG: imageTag, IMAGE_DIGEST: imageDigest } });
}

/** The environment's units that the rehearsal applies, in the directory listing (plan order does not matter). */
function envUnits() {
  return readdirSync(envDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(envDir, entry.name, 'terragrunt.hcl')))
    .map((entry) => entry.name)
    .filter((unit) => !excluded.includes(unit) && (unit === appUnit ? computeTarget !== 'apprunner' : !Object.values(appUnits).includes(unit)));
}

/** The first file called `name` under `dir` (depth first), or undefined. */
function findFile(dir, name) {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return path;
    if (entry.isDirectory() && entry.name !== '.terraform') {
      const found = findFile(path, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A second plan changes nothing. Each unit is planned to a file and read back with `terraform show -json`
 * (Terraform's JSON output format, "resource_changes"), so that a change is named, not just counted; a listed moto
 * gap (scripts/lib/rehearsal-plan.mjs) is printed as skip. Every unit is planned before the run fails, so that one
 * run names every unexpected change; then it exits 1.
 */
function secondPlan(units) {
  const unexpectedChanges = [];
  for (const { unit, unitDir } of units) {
    tg(unitDir, ['run', '--', 'plan', '-out=rehearsal.tfplan'], { extraEnv: { IMAGE_TAG: imageTag, IMAGE_DIGEST: imageDigest } });
    // `terraform show` in the folder Terragrunt planned in (its cache copy of the module): through Terragrunt, `show`
    // would read the app unit's dependencies again, and their mocks are allowed only for the commands listed there.
    const planFile = findFile(join(unitDir, '.terragrunt-cache'), 'rehearsal.tfplan');
    if (!planFile) fail(`no rehearsal.tfplan under ${relative(work, unitDir)}/.terragrunt-cache after the plan`);
    const shown = step(`terraform show -json rehearsal.tfplan in ${unit}`, dirname(planFile), 'terraform', ['show', '-json', 'rehearsal.tfplan']);
    const changes = planChanges(JSON.parse(shown.stdout.slice(shown.stdout.indexOf('{'))));
    for (const change of changes.filter(emulatorGap)) skip(`planned update of ${unit} ${change.address}`, `${emulatorGap(change).reason} (architecture/REHEARSAL_GAPS.md)`);
    for (const change of changes.filter((candidate) => !emulatorGap(candidate))) {
      unexpectedChanges.push(`${unit} ${change.address} (${change.change.actions.join('+')}: ${differingAttributes(change).join(', ')})`);
    }
  }
  if (unexpectedChanges.length) {
    process.stdout.write(`FAIL second plan: ${unexpectedChanges.length} change(s)\n${unexpectedChanges.map((line) => `  ${line}`).join('\n')}\n`);
    process.env.REHEARSAL_KEEP = '1';
    process.exit(1);
  }
}

process.stdout.write(`rehearsal of ${envPath} (${computeTarget}) against moto on ${endpoint}, work copy ${work}\n`);

// 1. The account: terragrunt/README.md "Bootstrap of an account".
const stateBucket = `acme-auth-tfstate-${accountId}-${homeRegion}`;
// The README's block, command for command: TG_STATE_KEY_BOOTSTRAP=1 until the state key exists (root.hcl leaves
// kms_key_id out), `init -reconfigure` once it does, and the state object that the first apply wrote with SSE-S3
// copied onto itself under the key (`aws s3 cp --sse aws:kms`, the README's key-rewrite step).
const keyBootstrap = { extraEnv: { TG_STATE_KEY_BOOTSTRAP: '1' } };
const stateBackendDir = join(globalDir, 'state-backend');
tg(stateBackendDir, ['backend', 'bootstrap'], keyBootstrap);
tg(stateBackendDir, ['run', '--', 'import', 'aws_s3_bucket.this', stateBucket], keyBootstrap);
tg(stateBackendDir, ['apply', '-auto-approve'], keyBootstrap);
tg(stateBackendDir, ['init', '-reconfigure']);
const stateObject = `s3://${stateBucket}/live/${accountName}/_global/state-backend/terraform.tfstate`;
step('aws s3 cp (the state-backend state re-encrypted under the state key)', work, awsCli, [
  's3', 'cp', stateObject, stateObject, '--sse', 'aws:kms', '--sse-kms-key-id', `alias/terraform-state/${stateBucket}`,
], { extraEnv: { AWS_REGION: homeRegion, AWS_DEFAULT_REGION: homeRegion } });
const head = step('aws s3api head-object (the state object names the state key)', work, awsCli, [
  's3api', 'head-object', '--bucket', stateBucket, '--key', `live/${accountName}/_global/state-backend/terraform.tfstate`, '--output', 'json',
], { extraEnv: { AWS_REGION: homeRegion, AWS_DEFAULT_REGION: homeRegion } });
if (JSON.parse(head.stdout).ServerSideEncryption !== 'aws:kms') fail('the state-backend state object is not encrypted with aws:kms after the key-rewrite step');
tg(join(globalDir, 'ecr'), ['apply', '-auto-approve']);
tg(join(globalDir, 'github-oidc'), ['apply', '-auto-approve']);
// The deploy workflow pushes the image before the app unit is applied; here a manifest stands in for the push.
step('aws ecr put-image (the image the deploy workflow would push)', work, awsCli, [
  'ecr', 'put-image', '--repository-name', 'auth-platform/auth', '--image-tag', imageTag, '--image-manifest',
  JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' }, layers: [] }),
], { extraEnv: { AWS_REGION: homeRegion, AWS_DEFAULT_REGION: homeRegion } });

const described = step('aws ecr describe-images (deploy-app.sh reads the digest)', work, awsCli, [
  'ecr', 'describe-images', '--repository-name', 'auth-platform/auth', '--image-ids', `imageTag=${imageTag}`,
  '--query', 'imageDetails[0].imageDigest', '--output', 'text',
], { extraEnv: { AWS_REGION: homeRegion, AWS_DEFAULT_REGION: homeRegion } });
const imageDigest = described.stdout.trim();

// The account's units, planned again: the import, the apply and the key-rewrite step left nothing to change.
secondPlan(readdirSync(globalDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(globalDir, entry.name, 'terragrunt.hcl')))
  .map((entry) => ({ unit: `_global/${entry.name}`, unitDir: join(globalDir, entry.name) })));

phaseDone('account');

// 2. The environment, in the documented order, excluding what cannot be rehearsed.
if (computeTarget === 'ecs-fargate') issueCertificate();
for (const unit of excluded) skip(`${unit} unit`, 'its Terraform provider cannot be installed here (architecture/REHEARSAL_GAPS.md)');
bringUpEnvironment(1);
phaseDone('bring-up');

// 3. A second plan of the environment changes nothing.
secondPlan(envUnits().map((unit) => ({ unit, unitDir: join(envDir, unit) })));

phaseDone('plan');

// 4. Destroy the environment (the account's _global units stay: they serve every environment).
const planExcludes = excluded.flatMap((unit) => ['--queue-exclude-dir', unit]);
tg(envDir, ['run', '--all', ...planExcludes, '--', 'destroy'], { extraEnv: { IMAGE_TAG: imageTag, IMAGE_DIGEST: imageDigest } });

phaseDone('destroy');

// 5. Rebuild right after the destroy: unique final snapshot names and a 0-day secret recovery window in a disposable
// environment are what make this pass.
bringUpEnvironment(2);

process.stdout.write(`rehearsal of ${envPath} passed in ${seconds(started)} s\n`);
// The moto child keeps the event loop alive: exit, which stops it (cleanUp).
process.exit(0);
