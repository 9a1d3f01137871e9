// The ECS Fargate path of the deploy scripts (runbooks/scripts: ecs-wait, apply-ecs-unit, deploy-app, deploy),
// run for real against fake `aws` and `terragrunt` binaries (test/lib/fake-cli.ts), and for the smoke test a
// real curl against a local HTTPS server standing in for the load balancer.
//
// The fake `aws` answers are shaped after the AWS CLI's JSON output of
//   aws ecs describe-services          (AWS CLI reference, ecs describe-services, "Output"; botocore 1.44.8
//                                       data/ecs/2014-11-13/service-2.json: DescribeServicesResponse {services: [Service],
//                                       failures: [Failure]}, Deployment.rolloutState COMPLETED | FAILED | IN_PROGRESS)
//   aws elbv2 describe-target-health   (AWS CLI reference, elbv2 describe-target-health, "Output"; botocore 1.44.8
//                                       data/elbv2/2015-12-01/service-2.json: DescribeTargetHealthOutput
//                                       {TargetHealthDescriptions: [{Target, HealthCheckPort, TargetHealth {State, Reason, Description}}]})
// and the waiter the poll stands in for is botocore's data/ecs/2014-11-13/waiters-2.json ServicesStable.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:https';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCli, type FakeAnswer, type FakeRule } from './lib/fake-cli.ts';
import { moduleInterface, modulesDir, repoRoot } from './lib/hcl.ts';

const scripts = join(repoRoot, 'runbooks', 'scripts');
const ACCOUNT = '111111111111';
const CLUSTER = 'auth-dev';
const SERVICE = 'auth-dev';
const TASK_DEFINITION = (revision: number) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/auth-dev:${revision}`;
const TARGET_GROUP = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/auth-dev/73e2d6bc24d8a067`;
const LOAD_BALANCER = 'auth-dev-1234567890.eu-west-1.elb.amazonaws.com';
const SHA = 'b'.repeat(40);
const PREVIOUS_SHA = 'a'.repeat(40);
const DIGEST = `sha256:${'2c'.repeat(32)}`;
const PREVIOUS_DIGEST = `sha256:${'1f'.repeat(32)}`;
const UNIT = join(repoRoot, 'terragrunt/live/nonprod/eu-west-1/dev/app-ecs');
const fast = { ECS_WAIT_INTERVAL: '0', APPRUNNER_WAIT_INTERVAL: '0', SMOKE_ATTEMPTS: '1', SMOKE_DELAY: '0' };
type Teardown = { teardown: (fn: () => void) => void };

interface DeploymentShape {
  status: 'PRIMARY' | 'ACTIVE';
  revision: number;
  rolloutState: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS';
  running: number;
  failedTasks?: number;
  reason?: string;
  /** Distinguishes deployments of the same revision: a rollback is a new deployment (new ecs-svc/ id). */
  serial?: number;
}

/**
 * A deployment's id, as ECS prints it (`ecs-svc/` and 19 digits; botocore ecs service-2.json, Deployment.id). Every
 * deployment gets a new one, a circuit-breaker rollback too, though it runs an older revision.
 */
const deploymentId = (deployment: DeploymentShape): string => `ecs-svc/${String(1234567890123456789n + BigInt(deployment.serial ?? deployment.revision))}`;

/** One `aws ecs describe-services --output json` answer for the service (camelCase, as the CLI prints it). */
function describeServices(deployments: DeploymentShape[], options: { desired?: number; running?: number; status?: string } = {}): FakeAnswer {
  const desired = options.desired ?? 2;
  const primary = deployments.find((deployment) => deployment.status === 'PRIMARY') ?? deployments[0]!;
  return {
    stdout: JSON.stringify({
      services: [{
        serviceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`,
        serviceName: SERVICE,
        clusterArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/${CLUSTER}`,
        loadBalancers: [{ targetGroupArn: TARGET_GROUP, containerName: 'app', containerPort: 8080 }],
        serviceRegistries: [],
        status: options.status ?? 'ACTIVE',
        desiredCount: desired,
        runningCount: options.running ?? deployments.reduce((sum, deployment) => sum + deployment.running, 0),
        pendingCount: 0,
        launchType: 'FARGATE',
        platformVersion: 'LATEST',
        platformFamily: 'Linux',
        taskDefinition: TASK_DEFINITION(primary.revision),
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          maximumPercent: 200,
          minimumHealthyPercent: 100,
        },
        deployments: deployments.map((deployment, index) => ({
          id: deploymentId(deployment),
          status: deployment.status,
          taskDefinition: TASK_DEFINITION(deployment.revision),
          desiredCount: deployment.status === 'PRIMARY' ? desired : 0,
          pendingCount: 0,
          runningCount: deployment.running,
          failedTasks: deployment.failedTasks ?? 0,
          createdAt: `2026-11-29T13:0${index}:00.000000+00:00`,
          updatedAt: `2026-11-29T13:1${index}:00.000000+00:00`,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          platformFamily: 'Linux',
          networkConfiguration: {
            awsvpcConfiguration: { subnets: ['subnet-00000000000000001', 'subnet-00000000000000002'], securityGroups: ['sg-00000000000000009', 'sg-00000000000000001'], assignPublicIp: 'DISABLED' },
          },
          rolloutState: deployment.rolloutState,
          rolloutStateReason: deployment.reason ?? (deployment.rolloutState === 'COMPLETED' ? `ECS deployment ${deploymentId(deployment)} completed.` : `ECS deployment ${deploymentId(deployment)} in progress.`),
        })),
        roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
        events: [],
        createdAt: '2026-11-01T09:00:00.000000+00:00',
        placementConstraints: [],
        placementStrategy: [],
        healthCheckGracePeriodSeconds: 60,
        schedulingStrategy: 'REPLICA',
        deploymentController: { type: 'ECS' },
        enableECSManagedTags: true,
        propagateTags: 'SERVICE',
        enableExecuteCommand: false,
      }],
      failures: [],
    }),
  };
}

/** One `aws elbv2 describe-target-health --output json` answer (PascalCase, as the CLI prints it). */
function targetHealth(states: string[]): FakeAnswer {
  const reasons: Record<string, [string, string]> = {
    initial: ['Elb.InitialHealthChecking', 'Initial health checks in progress'],
    unhealthy: ['Target.ResponseCodeMismatch', 'Health checks failed with these codes: [503]'],
    draining: ['Target.DeregistrationInProgress', 'Target deregistration is in progress'],
  };
  return {
    stdout: JSON.stringify({
      TargetHealthDescriptions: states.map((state, index) => ({
        Target: { Id: `10.10.${index + 1}.25`, Port: 8080, AvailabilityZone: index % 2 ? 'eu-west-1b' : 'eu-west-1a' },
        HealthCheckPort: '8080',
        TargetHealth: reasons[state] ? { State: state, Reason: reasons[state]![0], Description: reasons[state]![1] } : { State: state },
      })),
    }),
  };
}

/** `terragrunt run -- output -json` of the app-ecs unit (ecs-fargate-service outputs). */
const unitOutputs = (revision: number) => ({
  stdout: JSON.stringify({
    cluster_name: { sensitive: false, type: 'string', value: CLUSTER },
    service_name: { sensitive: false, type: 'string', value: SERVICE },
    task_definition_arn: { sensitive: false, type: 'string', value: TASK_DEFINITION(revision) },
    target_group_arn: { sensitive: false, type: 'string', value: TARGET_GROUP },
    load_balancer_dns_name: { sensitive: false, type: 'string', value: LOAD_BALANCER },
  }),
});

function fake(t: Teardown, tools: string[], scenario: FakeRule[]): FakeCli {
  const cli = new FakeCli(tools, scenario);
  t.teardown(() => rmSync(cli.dir, { recursive: true, force: true }));
  return cli;
}

const rolledOut: FakeRule[] = [
  {
    tool: 'aws',
    match: ['describe-services'],
    answers: [
      describeServices([{ status: 'PRIMARY', revision: 8, rolloutState: 'IN_PROGRESS', running: 1 }, { status: 'ACTIVE', revision: 7, rolloutState: 'COMPLETED', running: 2 }]),
      describeServices([{ status: 'PRIMARY', revision: 8, rolloutState: 'COMPLETED', running: 2 }]),
      describeServices([{ status: 'PRIMARY', revision: 8, rolloutState: 'COMPLETED', running: 2 }]),
    ],
  },
  { tool: 'aws', match: ['describe-target-health'], answers: [targetHealth(['initial', 'healthy', 'draining']), targetHealth(['healthy', 'healthy', 'draining'])] },
];

// ecs-wait.sh

test('ecs-wait: waits through the rollout until our task definition is the one stable deployment with healthy targets', async (t) => {
  const cli = fake(t, ['aws'], rolledOut);
  const result = await cli.run(join(scripts, 'ecs-wait.sh'), [CLUSTER, SERVICE, TASK_DEFINITION(8), TARGET_GROUP, '60'], fast);
  t.is(result.code, 0, result.stderr);
  const calls = cli.calls();
  t.deepEqual(calls.map((call) => call.argv.slice(0, 2).join(' ')), [
    'ecs describe-services', 'ecs describe-services', 'elbv2 describe-target-health', 'ecs describe-services', 'elbv2 describe-target-health',
  ]);
  t.true(calls[0]!.argv.join(' ').includes(`--cluster ${CLUSTER} --services ${SERVICE}`));
  t.true(calls[2]!.argv.join(' ').includes(`--target-group-arn ${TARGET_GROUP}`));
  t.regex(result.stderr, /stable on auth-dev:8 with 2 healthy target/);
});

test('ecs-wait: a deployment the circuit breaker rolled back fails, though the service is stable again', async (t) => {
  // After a rollback ECS makes the previous task definition PRIMARY again; the failed one stays ACTIVE, FAILED.
  const cli = fake(t, ['aws'], [{
    tool: 'aws',
    match: ['describe-services'],
    answers: [describeServices([
      // The rollback is a deployment of its own (serial 9): it runs revision 7 under a new ecs-svc/ id.
      { status: 'PRIMARY', revision: 7, serial: 9, rolloutState: 'COMPLETED', running: 2, reason: `ECS deployment circuit breaker: rolling back to deploymentId ${deploymentId({ status: 'ACTIVE', revision: 7, rolloutState: 'COMPLETED', running: 0 })}.` },
      { status: 'ACTIVE', revision: 8, rolloutState: 'FAILED', running: 0, failedTasks: 3, reason: 'ECS deployment circuit breaker: tasks failed to start.' },
    ])],
  }]);
  const result = await cli.run(join(scripts, 'ecs-wait.sh'), [CLUSTER, SERVICE, TASK_DEFINITION(8), TARGET_GROUP, '60'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /now runs .*auth-dev:7, not .*auth-dev:8: ECS rolled the deployment back/);
  t.false(cli.calls().some((call) => call.argv.includes('describe-target-health')));
});

test('ecs-wait: a FAILED rollout of our deployment fails with its reason; a missing service fails', async (t) => {
  const cli = fake(t, ['aws'], [{
    tool: 'aws',
    match: ['describe-services'],
    answers: [
      describeServices([{ status: 'PRIMARY', revision: 8, rolloutState: 'FAILED', running: 0, reason: 'ECS deployment circuit breaker: tasks failed to start.' }]),
      { stdout: JSON.stringify({ services: [], failures: [{ arn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`, reason: 'MISSING' }] }) },
    ],
  }]);
  const failed = await cli.run(join(scripts, 'ecs-wait.sh'), [CLUSTER, SERVICE, TASK_DEFINITION(8), TARGET_GROUP, '60'], fast);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /FAILED: ECS deployment circuit breaker: tasks failed to start/);
  const missing = await cli.run(join(scripts, 'ecs-wait.sh'), [CLUSTER, SERVICE, TASK_DEFINITION(8), TARGET_GROUP, '60'], fast);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /describe-services: MISSING/);
});

test('ecs-wait: a service without a PRIMARY deployment fails with one line saying so', async (t) => {
  const cli = fake(t, ['aws'], [{
    tool: 'aws',
    match: ['describe-services'],
    answers: [describeServices([{ status: 'ACTIVE', revision: 8, rolloutState: 'COMPLETED', running: 2 }])],
  }]);
  const result = await cli.run(join(scripts, 'ecs-wait.sh'), [CLUSTER, SERVICE, TASK_DEFINITION(8), TARGET_GROUP, '60'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /service auth-dev has no PRIMARY deployment \(describe-services lists ACTIVE\)/);
});

test('ecs-wait: exits 2 at the deadline while targets are unhealthy, distinct from a failed deploy', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['describe-services'], answers: [describeServices([{ status: 'PRIMARY', revision: 8, rolloutState: 'COMPLETED', running: 2 }])] },
    { tool: 'aws', match: ['describe-target-health'], answers: [targetHealth(['unhealthy', 'healthy'])] },
  ]);
  const result = await cli.run(join(scripts, 'ecs-wait.sh'), [CLUSTER, SERVICE, TASK_DEFINITION(8), TARGET_GROUP, '0'], fast);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /1 healthy of 2 desired \(1 healthy, 1 unhealthy\)/);
  t.regex(result.stderr, /timed out/);
});

// apply-ecs-unit.sh

test('apply-ecs-unit: applies with IMAGE_TAG and IMAGE_DIGEST, waits, and reports the outputs', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'terragrunt', match: ['apply'], answers: [{ stdout: 'Apply complete! Resources: 1 added, 1 changed, 0 destroyed.\n' }] },
    { tool: 'terragrunt', match: ['output'], answers: [unitOutputs(8)] },
    ...rolledOut,
  ]);
  const outputFile = join(cli.dir, 'github-output');
  const result = await cli.run(join(scripts, 'apply-ecs-unit.sh'), [UNIT, SHA, DIGEST, '60'], { ...fast, FAKE_CLI_RECORD_ENV: 'IMAGE_TAG,IMAGE_DIGEST', GITHUB_OUTPUT: outputFile });
  t.is(result.code, 0, result.stderr);
  const apply = cli.calls().find((call) => call.tool === 'terragrunt' && call.argv.includes('apply'))!;
  t.deepEqual(apply.argv, ['run', '--non-interactive', '--working-dir', UNIT, '--', 'apply', '-auto-approve', '-input=false']);
  t.deepEqual(apply.env, { IMAGE_TAG: SHA, IMAGE_DIGEST: DIGEST });
  const expected = `cluster_name=${CLUSTER}\nservice_name=${SERVICE}\ntask_definition_arn=${TASK_DEFINITION(8)}\nload_balancer_dns_name=${LOAD_BALANCER}\n`;
  t.is(result.stdout, expected);
  t.is(readFileSync(outputFile, 'utf8'), expected);
});

// Terragrunt v1.1.1 skips an excluded unit with "Early exit ... no_run = true" and exits 0
// (internal/runner/run/run.go), so the scripts refuse before calling it.
test('apply-ecs-unit and apply-app-unit refuse, in one line, a unit excluded by its env.hcl compute_target', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], []);
  const staging = join(repoRoot, 'terragrunt/live/nonprod/eu-west-1/staging');
  const ecs = await cli.run(join(scripts, 'apply-ecs-unit.sh'), [join(staging, 'app-ecs'), SHA, DIGEST, '60'], fast);
  t.is(ecs.code, 1);
  t.regex(ecs.stderr, /app-ecs is excluded: .*staging\/env\.hcl has compute_target "apprunner" and does not retire ecs-fargate/);
  t.is(ecs.stderr.trim().split('\n').length, 1, ecs.stderr);
  const app = await cli.run(join(scripts, 'apply-app-unit.sh'), [join(UNIT, '..', 'app'), SHA, '60'], fast);
  t.is(app.code, 1);
  t.regex(app.stderr, /app is excluded: .*dev\/env\.hcl has compute_target "ecs-fargate" and does not retire apprunner/);
  t.deepEqual(cli.calls(), []);
});

test('apply-ecs-unit: refuses a digest that is not sha256 before applying', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], []);
  const result = await cli.run(join(scripts, 'apply-ecs-unit.sh'), [UNIT, SHA, 'latest'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /sha256:<64 hex>/);
  t.is(cli.calls().length, 0);
});

test('the app-ecs unit outputs the ECS deploy reads exist in the ecs-fargate-service module', async (t) => {
  const script = readFileSync(join(scripts, 'apply-ecs-unit.sh'), 'utf8');
  const used = [...new Set([...script.matchAll(/\.([a-z_]+)\.value/g)].map((match) => match[1]!))].sort();
  t.deepEqual(used, ['cluster_name', 'load_balancer_dns_name', 'service_name', 'target_group_arn', 'task_definition_arn']);
  const { outputs } = await moduleInterface(join(modulesDir, 'ecs-fargate-service'));
  for (const name of used) t.true(outputs.has(name), `ecs-fargate-service has no output ${name}`);
});

// deploy.sh on an ECS environment (dev: env.hcl compute_target = "ecs-fargate"), smoke test through the ALB

/** A local HTTPS server for the public host name, and a curl on PATH that records its argv, then runs the real
 * curl with the load balancer address of --connect-to replaced by this server (and the server's CA trusted). */
async function loadBalancer(t: Teardown, cli: FakeCli, host: string): Promise<{ curlCalls: () => string[][] }> {
  const key = join(cli.dir, 'key.pem');
  const cert = join(cli.dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' });
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    const body = request.url === '/readyz'
      ? { status: 'ok', checks: { postgres: 'ok' } }
      : { keys: [{ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'k1', use: 'sig', x: 'x', y: 'y' }] };
    response.writeHead(request.headers.host === host ? 200 : 421, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const realCurl = execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
  const log = join(cli.dir, 'curl.jsonl');
  const shim = join(cli.binDir, 'curl');
  writeFileSync(shim, `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const argv = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, JSON.stringify(argv) + '\\n');
const args = argv.map((arg, i) => argv[i - 1] === '--connect-to' ? arg.replace(/:[^:]+:443$/, ':127.0.0.1:${port}') : arg);
const result = spawnSync(${JSON.stringify(realCurl)}, ['--cacert', ${JSON.stringify(cert)}, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
`);
  chmodSync(shim, 0o755);
  return { curlCalls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]) : []) };
}

const describeImages = (digest: string): FakeAnswer => ({ stdout: `${digest}\n` });

test('deploy on ECS: resolves the digest, applies app-ecs, waits for the rollout, smoke-tests through the load balancer', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images', `imageTag=${SHA}`], answers: [describeImages(DIGEST), describeImages(DIGEST)] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'terragrunt', match: ['output'], answers: [unitOutputs(8)] },
    ...rolledOut,
  ]);
  const alb = await loadBalancer(t, cli, 'auth.dev.acme-auth.example');
  const result = await cli.run(join(scripts, 'deploy.sh'), ['dev', SHA], { ...fast, FAKE_CLI_RECORD_ENV: 'IMAGE_TAG,IMAGE_DIGEST' });
  t.is(result.code, 0, result.stderr);
  const calls = cli.calls();
  t.deepEqual(calls.map((call) => `${call.tool} ${call.argv.includes('--') ? call.argv[call.argv.indexOf('--') + 1] : call.argv[1]}`), [
    'aws describe-images',
    'aws describe-images',
    'terragrunt apply',
    'terragrunt output',
    'aws describe-services',
    'aws describe-services',
    'aws describe-target-health',
    'aws describe-services',
    'aws describe-target-health',
  ]);
  const apply = calls[2]!;
  t.true(apply.argv.includes(UNIT), 'dev deploys its app-ecs unit (env.hcl compute_target)');
  t.deepEqual(apply.env, { IMAGE_TAG: SHA, IMAGE_DIGEST: DIGEST });
  // Through the load balancer, with TLS and Host for the public host name: exactly the two smoke requests.
  const curls = alb.curlCalls();
  t.is(curls.length, 2);
  for (const argv of curls) t.is(argv[argv.indexOf('--connect-to') + 1], `auth.dev.acme-auth.example:443:${LOAD_BALANCER}:443`);
  t.deepEqual(curls.map((argv) => argv.at(-1)), ['https://auth.dev.acme-auth.example/readyz', 'https://auth.dev.acme-auth.example/.well-known/jwks.json']);
  t.regex(result.stderr, /auth-dev runs on ecs-fargate/);
  t.regex(result.stderr, /auth-dev serves b{40}/);
});

test('rollback on ECS: deploying the previous SHA redeploys the previous digest', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images', `imageTag=${PREVIOUS_SHA}`], answers: [describeImages(PREVIOUS_DIGEST), describeImages(PREVIOUS_DIGEST)] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'terragrunt', match: ['output'], answers: [unitOutputs(9)] },
    { tool: 'aws', match: ['describe-services'], answers: [describeServices([{ status: 'PRIMARY', revision: 9, rolloutState: 'COMPLETED', running: 2 }])] },
    { tool: 'aws', match: ['describe-target-health'], answers: [targetHealth(['healthy', 'healthy'])] },
  ]);
  await loadBalancer(t, cli, 'auth.dev.acme-auth.example');
  const result = await cli.run(join(scripts, 'deploy.sh'), ['dev', PREVIOUS_SHA], { ...fast, FAKE_CLI_RECORD_ENV: 'IMAGE_TAG,IMAGE_DIGEST' });
  t.is(result.code, 0, result.stderr);
  const apply = cli.calls().find((call) => call.tool === 'terragrunt' && call.argv.includes('apply'))!;
  t.deepEqual(apply.env, { IMAGE_TAG: PREVIOUS_SHA, IMAGE_DIGEST: PREVIOUS_DIGEST });
});

test('deploy on ECS: a rollback by the circuit breaker fails it before the smoke test; a timeout exits 2', async (t) => {
  const scenario = (answer: FakeAnswer): FakeRule[] => [
    { tool: 'aws', match: ['describe-images'], answers: [describeImages(DIGEST), describeImages(DIGEST)] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'terragrunt', match: ['output'], answers: [unitOutputs(8)] },
    { tool: 'aws', match: ['describe-services'], answers: [answer] },
  ];
  const rolledBack = fake(t, ['aws', 'terragrunt'], scenario(describeServices([
    { status: 'PRIMARY', revision: 7, serial: 9, rolloutState: 'IN_PROGRESS', running: 2 },
    { status: 'ACTIVE', revision: 8, rolloutState: 'FAILED', running: 0, failedTasks: 3 },
  ])));
  const alb = await loadBalancer(t, rolledBack, 'auth.dev.acme-auth.example');
  const result = await rolledBack.run(join(scripts, 'deploy.sh'), ['dev', SHA], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /rolled the deployment back/);
  t.is(alb.curlCalls().length, 0);
  const busy = fake(t, ['aws', 'terragrunt'], scenario(describeServices([
    { status: 'PRIMARY', revision: 8, rolloutState: 'IN_PROGRESS', running: 1 },
    { status: 'ACTIVE', revision: 7, rolloutState: 'COMPLETED', running: 2 },
  ])));
  const timedOut = await busy.run(join(scripts, 'deploy.sh'), ['dev', SHA], { ...fast, ECS_WAIT_TIMEOUT: '0' });
  t.is(timedOut.code, 2, timedOut.stderr);
  t.regex(timedOut.stderr, /timed out/);
});

// The target comes from env.hcl

test('deploy-app follows each env.hcl: dev on ECS (app-ecs), staging and prod on App Runner (app)', async (t) => {
  const lib = join(scripts, 'lib.sh');
  const read = (env: string, name: string) => execFileSync('bash', ['-c', `. "${lib}"; ${name} ${env}`], { encoding: 'utf8' });
  t.is(read('dev', 'compute_target'), 'ecs-fargate');
  t.is(read('staging', 'compute_target'), 'apprunner');
  t.is(read('prod', 'compute_target'), 'apprunner');
  t.is(execFileSync('bash', ['-c', `. "${lib}"; env_setting prod app_public_url`], { encoding: 'utf8' }), 'https://auth.acme-auth.example');
  // staging takes the App Runner path: its app unit, no digest lookup.
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'terragrunt', match: ['output'], answers: [{ code: 1, stderr: 'no state' }, { stdout: JSON.stringify({ service_arn: { value: 'arn:aws:apprunner:eu-west-1:111111111111:service/auth-staging/0123' }, service_url: { value: 'abc.eu-west-1.awsapprunner.com' } }) }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-1\tCREATE_SERVICE\tIN_PROGRESS\n' }] },
  ]);
  const result = await cli.run(join(scripts, 'deploy-app.sh'), ['staging', SHA, '0'], fast);
  t.is(result.code, 2, result.stderr);
  t.true(cli.calls().some((call) => call.tool === 'terragrunt' && call.argv.includes(join(repoRoot, 'terragrunt/live/nonprod/eu-west-1/staging/app'))));
  t.false(cli.calls().some((call) => call.argv.includes('describe-images')));
});

test('deploy-app refuses an env.hcl whose compute_target is unknown', async (t) => {
  const lib = join(scripts, 'lib.sh');
  const dir = fake(t, [], []).dir;
  const env = join(dir, 'env.hcl');
  writeFileSync(env, 'locals {\n  compute_target = "lambda"\n}\n');
  const result = (() => {
    try {
      execFileSync('bash', ['-c', `. "${lib}"; env_dir() { printf '%s' "${dir}"; }; compute_target dev`], { encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (error) {
      return String((error as { stderr: string }).stderr);
    }
  })();
  t.regex(result, /unknown compute_target 'lambda'/);
});

// redeploy.sh / ecs-redeploy.sh (the rotation scripts' last step)

/** `aws ecs update-service ... --query 'service.[taskDefinition, loadBalancers[0].targetGroupArn]' --output text`. */
/**
 * `aws ecs update-service --force-new-deployment --query "service.[taskDefinition, loadBalancers[0].targetGroupArn,
 * deployments[?status=='PRIMARY'].id | [0]]" --output text`: one line, tab-separated (AWS CLI text output of a list);
 * the PRIMARY deployment of the answer is the one just started (AWS CLI reference, ecs update-service, "To force a new
 * deployment"). The query was checked with jmespath 1.0.1 (the AWS CLI's) on an UpdateService answer.
 */
const updateService = (revision: number, serial: number): FakeAnswer => ({
  stdout: `${TASK_DEFINITION(revision)}\t${TARGET_GROUP}\t${deploymentId({ status: 'PRIMARY', revision, serial, rolloutState: 'IN_PROGRESS', running: 0 })}\n`,
});

test('redeploy on ECS: forces a new deployment of the same task definition and waits for it', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['update-service', '--force-new-deployment'], answers: [updateService(8, 10)] },
    {
      tool: 'aws',
      match: ['describe-services'],
      answers: [
        describeServices([{ status: 'PRIMARY', revision: 8, serial: 10, rolloutState: 'IN_PROGRESS', running: 1 }, { status: 'ACTIVE', revision: 8, rolloutState: 'COMPLETED', running: 2 }]),
        describeServices([{ status: 'PRIMARY', revision: 8, serial: 10, rolloutState: 'COMPLETED', running: 2 }]),
      ],
    },
    { tool: 'aws', match: ['describe-target-health'], answers: [targetHealth(['healthy', 'healthy', 'draining'])] },
  ]);
  const result = await cli.run(join(scripts, 'redeploy.sh'), ['dev'], fast);
  t.is(result.code, 0, result.stderr);
  const update = cli.calls()[0]!;
  t.deepEqual(update.argv.slice(0, 2), ['ecs', 'update-service']);
  t.true(update.argv.join(' ').includes('--cluster auth-dev --service auth-dev --force-new-deployment'));
  t.deepEqual(cli.calls().map((call) => call.argv[1]), ['update-service', 'describe-services', 'describe-services', 'describe-target-health']);
  t.regex(result.stderr, /auth-dev redeployed/);
});

test('redeploy on ECS: a rollback of the forced deployment fails it, though the task definition is the same', async (t) => {
  // The circuit breaker stopped deployment 10 and rolled back under a new id (11) to revision 8, the same task
  // definition: the tasks of the deployment before (started before a rotation) may still be serving.
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['update-service', '--force-new-deployment'], answers: [updateService(8, 10)] },
    {
      tool: 'aws',
      match: ['describe-services'],
      answers: [describeServices([
        { status: 'PRIMARY', revision: 8, serial: 11, rolloutState: 'COMPLETED', running: 2, reason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1234567890123456797.' },
        { status: 'ACTIVE', revision: 8, serial: 10, rolloutState: 'FAILED', running: 0, failedTasks: 3, reason: 'ECS deployment circuit breaker: tasks failed to start.' },
      ])],
    },
    { tool: 'aws', match: ['describe-target-health'], answers: [targetHealth(['healthy', 'healthy'])] },
  ]);
  const result = await cli.run(join(scripts, 'redeploy.sh'), ['dev'], fast);
  t.is(result.code, 1, result.stderr);
  t.true(cli.calls()[0]!.argv.join(' ').includes("deployments[?status=='PRIMARY'].id | [0]"));
  t.regex(result.stderr, /PRIMARY deployment is now ecs-svc\/1234567890123456800, not ecs-svc\/1234567890123456799: ECS rolled the deployment back/);
  t.false(cli.calls().some((call) => call.argv.includes('describe-target-health')));
  t.notRegex(result.stderr, /redeployed/);
});

test('ecs-wait: a failing describe-services call ends the wait with exit 1 and one line, not the CLI\'s code', async (t) => {
  const cli = fake(t, ['aws'], [{
    tool: 'aws',
    match: ['describe-services'],
    // AWS CLI v2 exits 254 when the service answers an error (AWS CLI user guide, "Return codes").
    answers: [{ stderr: '\nAn error occurred (ThrottlingException) when calling the DescribeServices operation (reached max retries: 2): Rate exceeded\n', code: 254 }],
  }]);
  const result = await cli.run(join(scripts, 'ecs-wait.sh'), [CLUSTER, SERVICE, TASK_DEFINITION(8), TARGET_GROUP, '60'], fast);
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, /ERROR: aws ecs describe-services failed for auth-dev\/auth-dev/);
});

test('redeploy follows env.hcl: staging redeploys App Runner', async (t) => {
  const cli = fake(t, ['aws'], [{ tool: 'aws', match: ['list-services'], answers: [{ stdout: 'None\n' }] }]);
  const result = await cli.run(join(scripts, 'redeploy.sh'), ['staging'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /no App Runner service auth-staging/);
  t.false(cli.calls().some((call) => call.argv[0] === 'ecs'));
});

// .github/scripts/list-units.sh: the plan summary expects a plan from exactly the units run --all plans

test('list-units leaves out the app unit of the compute target an environment does not run, unless it is retiring', (t) => {
  const list = (dir: string) => execFileSync(join(repoRoot, '.github', 'scripts', 'list-units.sh'), [dir], { encoding: 'utf8' }).trim().split('\n');
  const live = join(repoRoot, 'terragrunt', 'live');
  t.deepEqual(list(join(live, 'nonprod/eu-west-1/dev')), ['alarms', 'app-ecs', 'clickhouse', 'network', 'rds', 'secrets']);
  t.deepEqual(list(join(live, 'nonprod/eu-west-1/staging')), ['alarms', 'app', 'clickhouse', 'network', 'rds', 'secrets']);
  t.deepEqual(list(join(live, 'prod/eu-west-1/prod')), ['alarms', 'app', 'clickhouse', 'network', 'rds', 'secrets']);
  // During a move both are up: the retiring target's unit is planned too.
  const dir = fake(t, [], []).dir;
  const env = join(dir, 'dev');
  execFileSync('cp', ['-r', join(live, 'nonprod/eu-west-1/dev'), env]);
  const text = readFileSync(join(env, 'env.hcl'), 'utf8');
  t.true(text.includes('  compute_targets_retiring = []'));
  writeFileSync(join(env, 'env.hcl'), text.replace('  compute_targets_retiring = []', '  compute_targets_retiring = ["apprunner"]'));
  t.deepEqual(list(env), ['alarms', 'app', 'app-ecs', 'clickhouse', 'network', 'rds', 'secrets']);
});

// During a move between targets (env.hcl compute_targets_retiring, ENVIRONMENT_STRATEGY.md § 8) both are up and DNS
// may send clients to either: deploys and redeploys go to both, the serving target first.

/** A copy of the runbook scripts and of dev's folder, whose env.hcl retires `retiring` (lib.sh finds the tree
 * from the scripts' own location, so the copy deploys its own dev). */
function movingRepo(t: Teardown, retiring: string): { scripts: string; dev: string } {
  const root = fake(t, [], []).dir;
  execFileSync('mkdir', ['-p', join(root, 'runbooks'), join(root, 'terragrunt/live/nonprod/eu-west-1')]);
  execFileSync('cp', ['-r', scripts, join(root, 'runbooks', 'scripts')]);
  const dev = join(root, 'terragrunt/live/nonprod/eu-west-1/dev');
  execFileSync('cp', ['-r', join(repoRoot, 'terragrunt/live/nonprod/eu-west-1/dev'), dev]);
  const text = readFileSync(join(dev, 'env.hcl'), 'utf8');
  if (!text.includes('  compute_targets_retiring = []')) throw new Error('dev/env.hcl no longer has compute_targets_retiring = []');
  writeFileSync(join(dev, 'env.hcl'), text.replace('  compute_targets_retiring = []', `  compute_targets_retiring = ${retiring}`));
  return { scripts: join(root, 'runbooks', 'scripts'), dev };
}

/** App Runner's service URL: a plain local HTTP server answering the smoke test (the curl shim passes it through). */
async function appRunnerService(t: Teardown): Promise<string> {
  const server = createHttpServer((request, response) => {
    const body = request.url === '/readyz' ? { status: 'ok', checks: { postgres: 'ok' } } : { keys: [{ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'k1', use: 'sig', x: 'x', y: 'y' }] };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const APPRUNNER_ARN = `arn:aws:apprunner:eu-west-1:${ACCOUNT}:service/auth-dev/0123456789abcdef`;
/** `terragrunt run -- output -json` of the app unit (apprunner-service outputs). */
const appRunnerOutputs = (url: string): FakeAnswer => ({ stdout: JSON.stringify({ service_arn: { value: APPRUNNER_ARN }, service_url: { value: url } }) });
/** One line of `aws apprunner list-operations --query [Id, Type, Status] --output text`. */
const operation = (id: string, status: string): FakeAnswer => ({ stdout: `${id}\tUPDATE_SERVICE\t${status}\n` });
const label = (call: { tool: string; argv: string[] }) => `${call.tool} ${call.argv.includes('--') ? call.argv[call.argv.indexOf('--') + 1] : call.argv[1]}`;

test('deploy during a move: the new target (ECS) and then the retiring one (App Runner) both get the image, each smoke-tested', async (t) => {
  const moving = movingRepo(t, '["apprunner"]');
  const appRunnerUrl = await appRunnerService(t);
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images', `imageTag=${SHA}`], answers: [describeImages(DIGEST)] },
    // app-ecs first (its one output call), then app (before and after its apply).
    { tool: 'terragrunt', match: ['output', 'app-ecs'], answers: [unitOutputs(8)] },
    { tool: 'terragrunt', match: ['output'], answers: [appRunnerOutputs('before.eu-west-1.awsapprunner.com'), appRunnerOutputs(appRunnerUrl)] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}, {}] },
    ...rolledOut,
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-0\n' }, operation('op-1', 'IN_PROGRESS'), operation('op-1', 'SUCCEEDED')] },
    { tool: 'aws', match: ['describe-service', 'Service.Status'], answers: [{ stdout: 'RUNNING\n' }] },
  ]);
  const alb = await loadBalancer(t, cli, 'auth.dev.acme-auth.example');

  const result = await cli.run(join(moving.scripts, 'deploy-app.sh'), ['dev', SHA, '60'], { ...fast, FAKE_CLI_RECORD_ENV: 'IMAGE_TAG,IMAGE_DIGEST' });
  t.is(result.code, 0, result.stderr);
  const calls = cli.calls();
  t.deepEqual(calls.map(label), [
    'aws describe-images',
    'terragrunt apply', 'terragrunt output',
    'aws describe-services', 'aws describe-services', 'aws describe-target-health', 'aws describe-services', 'aws describe-target-health',
    'terragrunt output', 'aws list-operations', 'terragrunt apply', 'terragrunt output', 'aws list-operations', 'aws list-operations', 'aws describe-service',
  ]);
  const applies = calls.filter((call) => call.tool === 'terragrunt' && call.argv.includes('apply'));
  t.deepEqual(applies.map((call) => call.argv[call.argv.indexOf('--working-dir') + 1]), [join(moving.dev, 'app-ecs'), join(moving.dev, 'app')]);
  t.deepEqual(applies.map((call) => call.env), [{ IMAGE_TAG: SHA, IMAGE_DIGEST: DIGEST }, { IMAGE_TAG: SHA }]);
  // Four smoke requests: two through the load balancer, two to App Runner's own URL (no --connect-to).
  const curls = alb.curlCalls();
  t.deepEqual(curls.map((argv) => argv.includes('--connect-to')), [true, true, false, false]);
  // The workflow's service URL stays the serving target's.
  t.is(result.stdout, 'service_url=https://auth.dev.acme-auth.example\n');
  t.regex(result.stderr, /runs on ecs-fargate \(env\.hcl compute_target\) and is moving off apprunner \(compute_targets_retiring\): deploying to both/);
  t.regex(result.stderr, /auth-dev on ecs-fargate serves b{40}/);
  t.regex(result.stderr, /auth-dev on apprunner serves b{40}/);
});

test('deploy during a move: a rollback on the new target stops the deploy before the retiring target is touched', async (t) => {
  const moving = movingRepo(t, '["apprunner"]');
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images'], answers: [describeImages(DIGEST)] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'terragrunt', match: ['output'], answers: [unitOutputs(8)] },
    { tool: 'aws', match: ['describe-services'], answers: [describeServices([
      { status: 'PRIMARY', revision: 7, serial: 9, rolloutState: 'IN_PROGRESS', running: 2 },
      { status: 'ACTIVE', revision: 8, rolloutState: 'FAILED', running: 0, failedTasks: 3 },
    ])] },
  ]);
  const result = await cli.run(join(moving.scripts, 'deploy-app.sh'), ['dev', SHA, '60'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /rolled the deployment back/);
  t.false(cli.calls().some((call) => call.argv.some((arg) => arg === join(moving.dev, 'app')) || call.argv[0] === 'apprunner'));
});

test('redeploy during a move restarts both targets, the serving one first; a failure stops it', async (t) => {
  const moving = movingRepo(t, '["apprunner"]');
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['update-service', '--force-new-deployment'], answers: [updateService(8, 10)] },
    { tool: 'aws', match: ['describe-services'], answers: [describeServices([{ status: 'PRIMARY', revision: 8, serial: 10, rolloutState: 'COMPLETED', running: 2 }])] },
    { tool: 'aws', match: ['describe-target-health'], answers: [targetHealth(['healthy', 'healthy'])] },
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${APPRUNNER_ARN}\n` }] },
    { tool: 'aws', match: ['start-deployment'], answers: [{ stdout: 'op-42\n' }] },
    { tool: 'aws', match: ['list-operations'], answers: [operation('op-42', 'SUCCEEDED')] },
    { tool: 'aws', match: ['describe-service', 'Service.Status'], answers: [{ stdout: 'RUNNING\n' }] },
  ]);
  const result = await cli.run(join(moving.scripts, 'redeploy.sh'), ['dev'], fast);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(cli.calls().map((call) => call.argv.slice(0, 2).join(' ')), [
    'ecs update-service', 'ecs describe-services', 'elbv2 describe-target-health',
    'apprunner list-services', 'apprunner start-deployment', 'apprunner list-operations', 'apprunner describe-service',
  ]);
  t.regex(result.stderr, /auth-dev redeployed[\s\S]*auth-dev redeployed/);

  const failing = fake(t, ['aws'], [{ tool: 'aws', match: ['update-service'], answers: [{ stderr: 'An error occurred (ServiceNotActiveException)', code: 254 }] }]);
  const failed = await failing.run(join(moving.scripts, 'redeploy.sh'), ['dev'], fast);
  t.is(failed.code, 1);
  t.false(failing.calls().some((call) => call.argv[0] === 'apprunner'));
});

test('compute_targets: the serving target, then the retiring ones; a retiring list naming the serving or an unknown target is refused', async (t) => {
  const targets = (retiring: string) => {
    const moving = movingRepo(t, retiring);
    const run = spawnSync('bash', ['-c', `. "${join(moving.scripts, 'lib.sh')}"; compute_targets dev`], { encoding: 'utf8' });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  t.deepEqual(targets('[]'), { code: 0, stdout: 'ecs-fargate\n', stderr: '' });
  t.deepEqual(targets('["apprunner"]'), { code: 0, stdout: 'ecs-fargate\napprunner\n', stderr: '' });
  const same = targets('["ecs-fargate"]');
  t.is(same.code, 1);
  t.regex(same.stderr, /compute_targets_retiring lists the serving compute_target 'ecs-fargate'/);
  const unknown = targets('["lambda"]');
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /unknown compute target 'lambda' in compute_targets_retiring/);
});
