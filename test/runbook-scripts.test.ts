// The runbook scripts, run for real against fake `aws` and `terragrunt` binaries (and a local HTTP
// server standing in for the service), so that each procedure's sequence of calls is pinned down.
import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FakeCli } from './lib/fake-cli.ts';
import { repoRoot } from './lib/hcl.ts';

const scripts = join(repoRoot, 'runbooks', 'scripts');
const SERVICE_ARN = 'arn:aws:apprunner:eu-west-1:111111111111:service/auth-dev/0123456789abcdef';
const SHA = 'a'.repeat(40);
const fast = { APPRUNNER_WAIT_INTERVAL: '0', SMOKE_RETRIES: '0' };

function jwks(extra: Record<string, unknown> = {}) {
  return { keys: [{ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'k1', use: 'sig', x: 'x', y: 'y', ...extra }] };
}

async function serve(routes: Record<string, [number, unknown]>): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const [status, body] = routes[request.url ?? ''] ?? [404, { error: { code: 'not_found' } }];
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('apprunner-wait succeeds once the operation succeeds, polling until then', async (t) => {
  const fake = new FakeCli(['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'PENDING\n' }, { stdout: 'IN_PROGRESS\n' }, { stdout: 'SUCCEEDED\n' }] },
  ]);
  const result = await fake.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN, 'op-1'], fast);
  t.is(result.code, 0, result.stderr);
  const calls = fake.calls();
  t.is(calls.length, 3);
  t.true(calls.every((call) => call.argv.includes(SERVICE_ARN)));
  t.true(calls[0]!.argv.join(' ').includes("Id=='op-1'"));
});

for (const status of ['FAILED', 'ROLLBACK_SUCCEEDED', 'ROLLBACK_FAILED']) {
  test(`apprunner-wait fails when the operation ends ${status}`, async (t) => {
    const fake = new FakeCli(['aws'], [{ tool: 'aws', match: ['list-operations'], answers: [{ stdout: `${status}\n` }] }]);
    const result = await fake.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN], fast);
    t.is(result.code, 1);
    t.regex(result.stderr, new RegExp(`ended ${status}`));
  });
}

test('apprunner-wait exits 2 on timeout, distinct from a failed deploy', async (t) => {
  const fake = new FakeCli(['aws'], [{ tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'IN_PROGRESS\n' }] }]);
  const result = await fake.run(join(scripts, 'apprunner-wait.sh'), [SERVICE_ARN, '', '0'], fast);
  t.is(result.code, 2);
  t.regex(result.stderr, /timed out/);
});

test('apprunner-redeploy starts a deployment and waits for that operation', async (t) => {
  const fake = new FakeCli(['aws'], [
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${SERVICE_ARN}\n` }] },
    { tool: 'aws', match: ['start-deployment'], answers: [{ stdout: 'op-42\n' }] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'SUCCEEDED\n' }] },
  ]);
  const result = await fake.run(join(scripts, 'apprunner-redeploy.sh'), ['dev'], fast);
  t.is(result.code, 0, result.stderr);
  const calls = fake.calls().map((call) => call.argv.slice(0, 2).join(' '));
  t.deepEqual(calls, ['apprunner list-services', 'apprunner start-deployment', 'apprunner list-operations']);
  t.true(fake.calls()[0]!.argv.join(' ').includes("ServiceName=='auth-dev'"));
  t.true(fake.calls()[2]!.argv.join(' ').includes("Id=='op-42'"));
});

test('apprunner-redeploy refuses an unknown environment before calling AWS', async (t) => {
  const fake = new FakeCli(['aws'], []);
  const result = await fake.run(join(scripts, 'apprunner-redeploy.sh'), ['qa'], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /unknown environment 'qa'/);
  t.is(fake.calls().length, 0);
});

test('smoke-test passes on a ready service with a public ES256 JWKS', async (t) => {
  const { url, server } = await serve({ '/readyz': [200, { status: 'ok', checks: { postgres: 'ok' } }], '/.well-known/jwks.json': [200, jwks()] });
  t.teardown(() => server.close());
  const result = await new FakeCli([], []).run(join(scripts, 'smoke-test.sh'), [url], fast);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /1 ES256 key/);
});

test('smoke-test fails when readiness is 503', async (t) => {
  const { url, server } = await serve({ '/readyz': [503, { error: { code: 'unavailable' } }], '/.well-known/jwks.json': [200, jwks()] });
  t.teardown(() => server.close());
  const result = await new FakeCli([], []).run(join(scripts, 'smoke-test.sh'), [url], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /not ready/);
});

test('smoke-test fails when the JWKS leaks a private key', async (t) => {
  const { url, server } = await serve({ '/readyz': [200, { status: 'ok' }], '/.well-known/jwks.json': [200, jwks({ d: 'secret' })] });
  t.teardown(() => server.close());
  const result = await new FakeCli([], []).run(join(scripts, 'smoke-test.sh'), [url], fast);
  t.is(result.code, 1);
});

test('deploy applies the app unit with IMAGE_TAG, waits, and smoke-tests the service URL', async (t) => {
  const { url, server } = await serve({ '/readyz': [200, { status: 'ok' }], '/.well-known/jwks.json': [200, jwks()] });
  t.teardown(() => server.close());
  const fake = new FakeCli(['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images'], answers: [{ stdout: 'sha256:abc\n' }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{ stdout: 'Apply complete!\n' }] },
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${SERVICE_ARN}\n` }] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'IN_PROGRESS\n' }, { stdout: 'SUCCEEDED\n' }] },
    { tool: 'aws', match: ['describe-service'], answers: [{ stdout: `${url}\n` }] },
  ]);
  const result = await fake.run(join(scripts, 'deploy.sh'), ['staging', SHA], { ...fast, FAKE_CLI_RECORD_ENV: 'IMAGE_TAG' });
  t.is(result.code, 0, result.stderr);
  const calls = fake.calls();
  t.deepEqual(calls.map((call) => `${call.tool} ${call.argv[0]} ${call.argv[1]}`), [
    'aws ecr describe-images',
    `terragrunt apply --non-interactive`,
    'aws apprunner list-services',
    'aws apprunner list-operations',
    'aws apprunner list-operations',
    'aws apprunner describe-service',
  ]);
  const apply = calls[1]!;
  t.is(apply.env.IMAGE_TAG, SHA);
  t.true(apply.argv.some((arg) => arg.endsWith('terragrunt/live/nonprod/eu-west-1/staging/app')));
  t.true(apply.argv.includes('-auto-approve'));
});

test('deploy refuses a tag that is not a full git SHA, before touching anything', async (t) => {
  const fake = new FakeCli(['aws', 'terragrunt'], []);
  for (const tag of ['latest', 'a'.repeat(39), 'v1.2.3', `${SHA};rm -rf /`]) {
    const result = await fake.run(join(scripts, 'deploy.sh'), ['dev', tag], fast);
    t.is(result.code, 1, tag);
  }
  t.is(fake.calls().length, 0);
});

test('deploy stops before terragrunt when the image is not in ECR', async (t) => {
  const fake = new FakeCli(['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images'], answers: [{ stderr: 'ImageNotFoundException\n', code: 254 }] },
  ]);
  const result = await fake.run(join(scripts, 'deploy.sh'), ['prod', SHA], fast);
  t.is(result.code, 1);
  t.regex(result.stderr, /not in ECR/);
  t.false(fake.calls().some((call) => call.tool === 'terragrunt'));
});

test('deploy fails when App Runner rolled the deployment back', async (t) => {
  const fake = new FakeCli(['aws', 'terragrunt'], [
    { tool: 'aws', match: ['describe-images'], answers: [{ stdout: 'sha256:abc\n' }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{ stdout: 'Apply complete!\n' }] },
    { tool: 'aws', match: ['list-services'], answers: [{ stdout: `${SERVICE_ARN}\n` }] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'ROLLBACK_SUCCEEDED\n' }] },
  ]);
  const result = await fake.run(join(scripts, 'deploy.sh'), ['dev', SHA], fast);
  t.is(result.code, 1);
  t.false(fake.calls().some((call) => call.argv.includes('describe-service')));
});
