// The deploy scripts shared by operators and the deploy workflow (runbooks/scripts: apprunner-wait,
// smoke-test, apply-app-unit, deploy, apprunner-redeploy), run for real against fake `aws` and `terragrunt`
// binaries (test/lib/fake-cli.ts) and a local HTTP server standing in for the service, so that each
// procedure's sequence of calls and its exit code are pinned down.
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCli, type FakeRule } from './lib/fake-cli.ts';
import { repoRoot } from './lib/hcl.ts';

const scripts = join(repoRoot, 'runbooks', 'scripts');
const SERVICE_ARN = 'arn:aws:apprunner:eu-west-1:111111111111:service/auth-dev/0123456789abcdef';
const SHA = 'a'.repeat(40);
const fast = { APPRUNNER_WAIT_INTERVAL: '0', SMOKE_ATTEMPTS: '1', SMOKE_DELAY: '0' };
/** One line of `list-operations --query [Id, Type, Status] --output text`. */
const op = (id: string, status: string, type = 'UPDATE_SERVICE') => ({ stdout: `${id}\t${type}\t${status}\n` });
const running = { tool: 'aws', match: ['describe-service', 'Service.Status'], answers: [{ stdout: 'RUNNING\n' }] };
type Teardown = { teardown: (fn: () => void) => void };

function fake(t: Teardown, tools: string[], scenario: FakeRule[]): FakeCli {
  const cli = new FakeCli(tools, scenario);
  t.teardown(() => rmSync(cli.dir, { recursive: true, force: true }));
  return cli;
}

function jwks(extra: Record<string, unknown> = {}) {
  return { keys: [{ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'k1', use: 'sig', x: 'x', y: 'y', ...extra }] };
}

async function serve(t: Teardown, routes: Record<string, [number, unknown]>): Promise<string> {
  const server = createServer((request, response) => {
    const [status, body] = routes[request.url ?? ''] ?? [404, { error: { code: 'not_found' } }];
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// apprunner-wait.sh

test('apprunner-wait: follows the given operation to SUCCEEDED, then requires the service RUNNING', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'PENDING'), op('op-1', 'IN_PROGRESS'), op('op-1', 'SUCCEEDED')] },
    running,
  ]);
  const result = await cli.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN, 'op-1'], fast);
  t.is(result.code, 0, result.stderr);
  const lists = cli.calls().filter((call) => call.argv.includes('list-operations'));
  t.is(lists.length, 3);
  t.true(lists.every((call) => call.argv.includes(SERVICE_ARN) && call.argv.join(' ').includes("Id=='op-1'")));
  t.true(cli.calls().some((call) => call.argv.includes('describe-service')));
});

test('apprunner-wait: an operation that succeeded while the service is not RUNNING fails', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'SUCCEEDED')] },
    { tool: 'aws', match: ['describe-service'], answers: [{ stdout: 'OPERATION_IN_PROGRESS\n' }] },
  ]);
  const result = await cli.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /OPERATION_IN_PROGRESS, not RUNNING/);
});

for (const status of ['FAILED', 'ROLLBACK_SUCCEEDED', 'ROLLBACK_FAILED']) {
  test(`apprunner-wait: exits 1 when the operation ends ${status}`, async (t) => {
    const cli = fake(t, ['aws'], [{ tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'ROLLBACK_IN_PROGRESS'), op('op-1', status)] }]);
    const result = await cli.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN], fast);
    t.is(result.code, 1);
    t.regex(result.stderr, new RegExp(`ended ${status}`));
    t.false(cli.calls().some((call) => call.argv.includes('describe-service')));
  });
}

test('apprunner-wait --after: no new operation since the apply means nothing changed, if the service runs', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [op('op-0', 'SUCCEEDED'), op('op-0', 'SUCCEEDED')] },
    { tool: 'aws', match: ['describe-service'], answers: [{ stdout: 'RUNNING\n' }, { stdout: 'PAUSED\n' }] },
  ]);
  const unchanged = await cli.run(join(scripts, 'apprunner-wait.sh'), ['--after', 'op-0', SERVICE_ARN, '60'], fast);
  t.is(unchanged.code, 0, unchanged.stderr);
  t.regex(unchanged.stderr, /changed nothing/);
  const paused = await cli.run(join(scripts, 'apprunner-wait.sh'), ['--after', 'op-0', SERVICE_ARN, '60'], fast);
  t.is(paused.code, 1);
  t.regex(paused.stderr, /PAUSED, not RUNNING/);
  // The newest operation is asked for, not a given id.
  t.true(cli.calls().filter((call) => call.argv.includes('list-operations')).every((call) => call.argv.includes('--max-results')));
});

test('apprunner-wait --after: a new operation is followed to its end', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'IN_PROGRESS'), op('op-1', 'ROLLBACK_SUCCEEDED')] },
  ]);
  const result = await cli.run(join(scripts, 'apprunner-wait.sh'), ['--after', 'op-0', SERVICE_ARN, '60'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /op-1 \(UPDATE_SERVICE\) ended ROLLBACK_SUCCEEDED/);
});

test('apprunner-wait: exits 2 at the timeout, distinct from a failed deploy; 1 on an unknown status', async (t) => {
  const cli = fake(t, ['aws'], [{ tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'IN_PROGRESS'), op('op-2', 'SOMETHING_NEW')] }]);
  const timedOut = await cli.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN, '', '0'], fast);
  t.is(timedOut.code, 2);
  t.regex(timedOut.stderr, /timed out/);
  const unknown = await cli.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN, '', '60'], fast);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /unexpected App Runner operation status 'SOMETHING_NEW'/);
});

// smoke-test.sh

test('smoke-test: passes on a ready service with a public ES256 JWKS', async (t) => {
  const url = await serve(t, { '/readyz': [200, { status: 'ok', checks: { postgres: 'ok' } }], '/.well-known/jwks.json': [200, jwks()] });
  const result = await fake(t, [], []).run(join(scripts, 'smoke-test.sh'), [url], fast);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /1 ES256 key/);
});

const smokeFailures: [string, Record<string, [number, unknown]>, RegExp][] = [
  ['readiness is 503', { '/readyz': [503, { error: { code: 'unavailable' } }], '/.well-known/jwks.json': [200, jwks()] }, /readyz -> 503/],
  ['the JWKS has no keys', { '/readyz': [200, {}], '/.well-known/jwks.json': [200, { keys: [] }] }, /not a JWK set with keys/],
  ['a key has no kid', { '/readyz': [200, {}], '/.well-known/jwks.json': [200, jwks({ kid: undefined })] }, /not a JWK set with keys/],
  ['no key is ES256', { '/readyz': [200, {}], '/.well-known/jwks.json': [200, jwks({ alg: 'RS256', kty: 'RSA' })] }, /no ES256 key/],
  ['the JWKS leaks a private key', { '/readyz': [200, {}], '/.well-known/jwks.json': [200, jwks({ d: 'secret' })] }, /private key material/],
];
for (const [what, routes, message] of smokeFailures) {
  test(`smoke-test: fails when ${what}`, async (t) => {
    const url = await serve(t, routes);
    const result = await fake(t, [], []).run(join(scripts, 'smoke-test.sh'), [url, '2', '0'], fast);
    t.is(result.code, 1);
    t.regex(result.stderr, message);
  });
}

test('smoke-test: retries while traffic shifts, and a private key fails at once', async (t) => {
  let readyCalls = 0;
  const server = createServer((request, response) => {
    if (request.url === '/readyz') readyCalls++;
    const status = request.url === '/readyz' && readyCalls < 3 ? 503 : 200;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(request.url === '/readyz' ? {} : jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const result = await fake(t, [], []).run(join(scripts, 'smoke-test.sh'), [url, '5', '0'], fast);
  t.is(result.code, 0, result.stderr);
  t.is(readyCalls, 3);
  const leak = await serve(t, { '/readyz': [200, {}], '/.well-known/jwks.json': [200, jwks({ d: 'secret' })] });
  const leaked = await fake(t, [], []).run(join(scripts, 'smoke-test.sh'), [leak, '5', '0'], fast);
  t.is(leaked.code, 1);
  t.is((leaked.stderr.match(/GET \/readyz/g) ?? []).length, 1);
});

// apply-app-unit.sh

const UNIT = 'terragrunt/live/nonprod/eu-west-1/staging/app'; // dev runs ecs-fargate: its app unit is excluded
const before = JSON.stringify({ service_arn: { value: SERVICE_ARN } });
const after = JSON.stringify({ service_arn: { value: SERVICE_ARN }, service_url: { value: 'abc.eu-west-1.awsapprunner.com' } });

test('apply-app-unit: applies with IMAGE_TAG, then fails when App Runner rolled back the operation the apply started', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'terragrunt', match: ['output'], answers: [{ stdout: before }, { stdout: after }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{ stdout: 'Apply complete!\n' }] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-0\n' }, op('op-1', 'ROLLBACK_SUCCEEDED')] },
  ]);
  const outputFile = join(cli.dir, 'github-output');
  const result = await cli.run(join(scripts, 'apply-app-unit.sh'), [UNIT, SHA, '60'], { ...fast, FAKE_CLI_RECORD_ENV: 'IMAGE_TAG', GITHUB_OUTPUT: outputFile });
  // The apply succeeded, but the new image is not serving: the job must fail.
  t.is(result.code, 1);
  t.regex(result.stderr, /ROLLBACK_SUCCEEDED/);
  const apply = cli.calls().find((call) => call.tool === 'terragrunt' && call.argv.includes('apply'))!;
  t.deepEqual(apply.argv, ['run', '--non-interactive', '--working-dir', UNIT, '--', 'apply', '-auto-approve', '-input=false']);
  t.is(apply.env.IMAGE_TAG, SHA);
  t.false(existsSync(outputFile));
  t.notRegex(result.stdout, /Apply complete/, "terragrunt's output goes to stderr, stdout carries only the outputs");
});

test('apply-app-unit: first deploy (no state yet) waits for the new service and reports its ARN and URL', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'terragrunt', match: ['output'], answers: [{ code: 1, stderr: 'no state' }, { stdout: after }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'SUCCEEDED', 'CREATE_SERVICE')] },
    running,
  ]);
  const outputFile = join(cli.dir, 'github-output');
  const result = await cli.run(join(scripts, 'apply-app-unit.sh'), ['terragrunt/live/prod/eu-west-1/prod/app', SHA, '60'], { ...fast, GITHUB_OUTPUT: outputFile });
  t.is(result.code, 0, result.stderr);
  const expected = `service_arn=${SERVICE_ARN}\nservice_url=abc.eu-west-1.awsapprunner.com\n`;
  t.is(readFileSync(outputFile, 'utf8'), expected);
  t.is(result.stdout, expected);
  // Without a previous operation, the wait follows the newest one instead of reading a no-op.
  t.is(cli.calls().filter((call) => call.argv.includes('list-operations')).length, 1);
});

test('apply-app-unit: an apply that changed nothing passes when the service runs', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'terragrunt', match: ['output'], answers: [{ stdout: before }, { stdout: after }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-0\n' }, op('op-0', 'SUCCEEDED')] },
    running,
  ]);
  const result = await cli.run(join(scripts, 'apply-app-unit.sh'), [UNIT, SHA, '60'], fast);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /changed nothing/);
});

// deploy.sh

test('deploy: checks ECR, applies the app unit with IMAGE_TAG, waits, and smoke-tests the service URL', async (t) => {
  const url = await serve(t, { '/readyz': [200, { status: 'ok' }], '/.well-known/jwks.json': [200, jwks()] });
  const outputs = JSON.stringify({ service_arn: { value: SERVICE_ARN }, service_url: { value: url } });
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images'], answers: [{ stdout: `sha256:${'ab'.repeat(32)}\n` }] },
    { tool: 'terragrunt', match: ['output'], answers: [{ stdout: before }, { stdout: outputs }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{ stdout: 'Apply complete!\n' }] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-0\n' }, op('op-1', 'IN_PROGRESS'), op('op-1', 'SUCCEEDED')] },
    running,
  ]);
  const result = await cli.run(join(scripts, 'deploy.sh'), ['staging', SHA], { ...fast, FAKE_CLI_RECORD_ENV: 'IMAGE_TAG' });
  t.is(result.code, 0, result.stderr);
  const calls = cli.calls();
  t.deepEqual(calls.map((call) => `${call.tool} ${call.argv.includes('--') ? call.argv[call.argv.indexOf('--') + 1] : call.argv[1]}`), [
    'aws describe-images',
    'terragrunt output',
    'aws list-operations',
    'terragrunt apply',
    'terragrunt output',
    'aws list-operations',
    'aws list-operations',
    'aws describe-service',
  ]);
  const apply = calls[3]!;
  t.is(apply.env.IMAGE_TAG, SHA);
  t.true(apply.argv.some((arg) => arg.endsWith('terragrunt/live/nonprod/eu-west-1/staging/app')));
  t.regex(result.stderr, /auth-staging serves a{40}/);
});

test('deploy: refuses a tag that is not a full git SHA, or an unknown environment, before touching anything', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], []);
  for (const [env, tag] of [['dev', 'latest'], ['dev', 'a'.repeat(39)], ['dev', 'v1.2.3'], ['dev', `${SHA};rm -rf /`], ['qa', SHA]]) {
    t.is((await cli.run(join(scripts, 'deploy.sh'), [env!, tag!], fast)).code, 1, `${env} ${tag}`);
  }
  t.is(cli.calls().length, 0);
});

test('deploy: stops before terragrunt when the image is not in ECR', async (t) => {
  const cli = fake(t, ['aws', 'terragrunt'], [{ tool: 'aws', match: ['describe-images'], answers: [{ stderr: 'ImageNotFoundException\n', code: 254 }] }]);
  const result = await cli.run(join(scripts, 'deploy.sh'), ['prod', SHA], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /not in ECR/);
  t.false(cli.calls().some((call) => call.tool === 'terragrunt'));
});

test('deploy: a rollback by App Runner fails it before the smoke test; a timeout exits 2', async (t) => {
  const scenario = (status: string): FakeRule[] => [
    { tool: 'aws', match: ['describe-images'], answers: [{ stdout: `sha256:${'ab'.repeat(32)}\n` }] },
    { tool: 'terragrunt', match: ['output'], answers: [{ stdout: before }, { stdout: after }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-0\n' }, op('op-1', status)] },
  ];
  // staging: an App Runner environment (env.hcl compute_target); the ECS path is in runbook-ecs.test.ts.
  const rolledBack = fake(t, ['aws', 'terragrunt'], scenario('ROLLBACK_SUCCEEDED'));
  const result = await rolledBack.run(join(scripts, 'deploy.sh'), ['staging', SHA], fast);
  t.is(result.code, 1);
  t.false(rolledBack.calls().some((call) => call.argv.includes('describe-service')));
  t.notRegex(result.stderr, /GET \/readyz/);
  const busy = fake(t, ['aws', 'terragrunt'], scenario('IN_PROGRESS'));
  const timedOut = await busy.run(join(scripts, 'deploy.sh'), ['staging', SHA], { ...fast, APPRUNNER_WAIT_TIMEOUT: '0' });
  t.is(timedOut.code, 2, timedOut.stderr);
  t.regex(timedOut.stderr, /timed out/);
});

// apprunner-redeploy.sh

test('apprunner-redeploy: starts a deployment and waits for that operation', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${SERVICE_ARN}\n` }] },
    { tool: 'aws', match: ['start-deployment'], answers: [{ stdout: 'op-42\n' }] },
    { tool: 'aws', match: ['list-operations'], answers: [op('op-42', 'SUCCEEDED', 'START_DEPLOYMENT')] },
    running,
  ]);
  const result = await cli.run(join(scripts, 'apprunner-redeploy.sh'), ['dev'], fast);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(cli.calls().map((call) => call.argv.slice(0, 2).join(' ')), ['apprunner list-services', 'apprunner start-deployment', 'apprunner list-operations', 'apprunner describe-service']);
  t.true(cli.calls()[0]!.argv.join(' ').includes("ServiceName=='auth-dev'"));
  t.true(cli.calls()[2]!.argv.join(' ').includes("Id=='op-42'"));
});

test('apprunner-redeploy: refuses an unknown environment before calling AWS', async (t) => {
  const cli = fake(t, ['aws'], []);
  const result = await cli.run(join(scripts, 'apprunner-redeploy.sh'), ['qa'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /unknown environment 'qa'/);
  t.is(cli.calls().length, 0);
});
