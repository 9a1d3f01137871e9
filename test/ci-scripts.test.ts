// The scripts the deploy and plan workflows call (.github/scripts), run for real against fake aws,
// terragrunt, skopeo and curl CLIs (test/lib/fake-cli.ts) and a local HTTP server: the App Runner
// wait must fail on a rollback, the image push must never overwrite or rebuild, the smoke test must
// reject a JWKS without keys, and the Terragrunt installer must reject a checksum mismatch.
import test from 'ava';
import { createServer, type Server } from 'node:http';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FakeCli, type FakeRule } from './lib/fake-cli.ts';
import { repoRoot } from './lib/hcl.ts';

const scripts = join(repoRoot, '.github', 'scripts');
const ARN = 'arn:aws:apprunner:eu-west-1:111111111111:service/auth-dev/0123456789abcdef';
const op = (id: string, status: string, type = 'UPDATE_SERVICE') => ({ stdout: `${id}\t${type}\t${status}\n` });

function fake(t: { teardown: (fn: () => void) => void }, tools: string[], scenario: FakeRule[]): FakeCli {
  const cli = new FakeCli(tools, scenario);
  t.teardown(() => rmSync(cli.dir, { recursive: true, force: true }));
  return cli;
}

test('apprunner-wait: follows the operation to SUCCEEDED and checks the service is RUNNING', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'IN_PROGRESS'), op('op-1', 'SUCCEEDED')] },
    { tool: 'aws', match: ['describe-service'], answers: [{ stdout: 'RUNNING\n' }] },
  ]);
  const result = await cli.run(join(scripts, 'apprunner-wait.sh'), [ARN, 'op-0', '60', '0']);
  t.is(result.code, 0, result.stderr);
  t.is(cli.calls().filter((c) => c.argv.includes('list-operations')).length, 2);
});

for (const status of ['ROLLBACK_SUCCEEDED', 'ROLLBACK_FAILED', 'FAILED']) {
  test(`apprunner-wait: fails when the operation ends ${status}`, async (t) => {
    const cli = fake(t, ['aws'], [
      { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'ROLLBACK_IN_PROGRESS'), op('op-1', status)] },
    ]);
    const result = await cli.run(join(scripts, 'apprunner-wait.sh'), [ARN, 'op-0', '60', '0']);
    t.is(result.code, 1);
    t.regex(result.stderr, new RegExp(`ended ${status}`));
  });
}

test('apprunner-wait: no new operation since the apply means nothing changed, if the service runs', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [op('op-0', 'SUCCEEDED'), op('op-0', 'SUCCEEDED')] },
    { tool: 'aws', match: ['describe-service'], answers: [{ stdout: 'RUNNING\n' }, { stdout: 'PAUSED\n' }] },
  ]);
  t.is((await cli.run(join(scripts, 'apprunner-wait.sh'), [ARN, 'op-0', '60', '0'])).code, 0);
  const paused = await cli.run(join(scripts, 'apprunner-wait.sh'), [ARN, 'op-0', '60', '0']);
  t.is(paused.code, 1);
  t.regex(paused.stderr, /PAUSED, not RUNNING/);
});

test('apprunner-wait: gives up at the timeout and on an unknown status', async (t) => {
  const cli = fake(t, ['aws'], [
    { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'IN_PROGRESS'), op('op-2', 'SOMETHING_NEW')] },
  ]);
  const timedOut = await cli.run(join(scripts, 'apprunner-wait.sh'), [ARN, 'op-0', '0', '0']);
  t.is(timedOut.code, 1);
  t.regex(timedOut.stderr, /timed out/);
  const unknown = await cli.run(join(scripts, 'apprunner-wait.sh'), [ARN, 'op-0', '60', '0']);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /unexpected App Runner operation status 'SOMETHING_NEW'/);
});

const REPO = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/auth-platform/auth';
const TAG = 'a'.repeat(40);
const DIGEST = `sha256:${'b'.repeat(64)}`;

test('push-image: an existing tag with the recorded digest is left alone', async (t) => {
  const cli = fake(t, ['aws', 'skopeo'], [{ tool: 'aws', match: ['describe-images'], answers: [{ stdout: `${DIGEST}\n` }] }]);
  const result = await cli.run(join(scripts, 'push-image.sh'), [REPO, TAG, DIGEST, '/tmp/image.tar']);
  t.is(result.code, 0, result.stderr);
  t.false(cli.calls().some((c) => c.tool === 'skopeo'));
  const describe = cli.calls().find((c) => c.argv.includes('describe-images'))!;
  t.true(describe.argv.includes('auth-platform/auth'));
  t.true(describe.argv.includes(`imageTag=${TAG}`));
});

test('push-image: an existing tag with another digest fails (tags are immutable, never overwritten)', async (t) => {
  const cli = fake(t, ['aws', 'skopeo'], [{ tool: 'aws', match: ['describe-images'], answers: [{ stdout: `sha256:${'c'.repeat(64)}\n` }] }]);
  const result = await cli.run(join(scripts, 'push-image.sh'), [REPO, TAG, DIGEST, '/tmp/image.tar']);
  t.is(result.code, 1);
  t.regex(result.stderr, /exists with digest/);
});

test('push-image: a rollback to a tag missing from this account fails instead of building', async (t) => {
  const cli = fake(t, ['aws', 'skopeo'], [{ tool: 'aws', match: ['describe-images'], answers: [{ stderr: 'ImageNotFoundException', code: 254 }] }]);
  const result = await cli.run(join(scripts, 'push-image.sh'), [REPO, TAG, '', '']);
  t.is(result.code, 1);
  t.regex(result.stderr, /not in this account's ECR/);
});

test('push-image: copies the built archive with preserved digests and verifies the digest ECR reports', async (t) => {
  const scenario = (pushed: string): FakeRule[] => [
    { tool: 'aws', match: ['describe-images'], answers: [{ stderr: 'ImageNotFoundException', code: 254 }, { stdout: `${pushed}\n` }] },
    { tool: 'aws', match: ['get-login-password'], answers: [{ stdout: 'ecr-token' }] },
    { tool: 'skopeo', match: ['login'], answers: [{}] },
    { tool: 'skopeo', match: ['copy'], answers: [{}] },
  ];
  const ok = fake(t, ['aws', 'skopeo'], scenario(DIGEST));
  const result = await ok.run(join(scripts, 'push-image.sh'), [REPO, TAG, DIGEST, '/tmp/image.tar'], { FAKE_CLI_READ_STDIN: 'skopeo' });
  t.is(result.code, 0, result.stderr);
  const login = ok.calls().find((c) => c.tool === 'skopeo' && c.argv[0] === 'login')!;
  t.deepEqual(login.argv, ['login', '--username', 'AWS', '--password-stdin', '111111111111.dkr.ecr.eu-west-1.amazonaws.com']);
  t.is(login.stdin, 'ecr-token');
  const copy = ok.calls().find((c) => c.tool === 'skopeo' && c.argv[0] === 'copy')!;
  t.deepEqual(copy.argv, ['copy', '--preserve-digests', 'oci-archive:/tmp/image.tar', `docker://${REPO}:${TAG}`]);

  const mismatch = fake(t, ['aws', 'skopeo'], scenario(`sha256:${'d'.repeat(64)}`));
  const bad = await mismatch.run(join(scripts, 'push-image.sh'), [REPO, TAG, DIGEST, '/tmp/image.tar'], { FAKE_CLI_READ_STDIN: 'skopeo' });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /ECR reports/);
});

test('apply-app-unit: applies with IMAGE_TAG, then waits on the operation the apply started', async (t) => {
  const before = JSON.stringify({ service_arn: { value: ARN } });
  const after = JSON.stringify({ service_arn: { value: ARN }, service_url: { value: 'abc.eu-west-1.awsapprunner.com' } });
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'terragrunt', match: ['output'], answers: [{ stdout: before }, { stdout: after }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'aws', match: ['list-operations'], answers: [{ stdout: 'op-0\n' }, op('op-1', 'ROLLBACK_SUCCEEDED')] },
  ]);
  const outputFile = join(cli.dir, 'github-output');
  const result = await cli.run(join(scripts, 'apply-app-unit.sh'), ['terragrunt/live/nonprod/eu-west-1/dev/app', TAG, '60'], {
    FAKE_CLI_RECORD_ENV: 'IMAGE_TAG',
    GITHUB_OUTPUT: outputFile,
  });
  // The fake App Runner rolled the deployment back: the job must fail even though apply succeeded.
  t.is(result.code, 1);
  t.regex(result.stderr, /ROLLBACK_SUCCEEDED/);
  const apply = cli.calls().find((c) => c.tool === 'terragrunt' && c.argv.includes('apply'))!;
  t.deepEqual(apply.argv, ['run', '--non-interactive', '--working-dir', 'terragrunt/live/nonprod/eu-west-1/dev/app', '--', 'apply', '-auto-approve', '-input=false']);
  t.is(apply.env.IMAGE_TAG, TAG);
  t.false(existsSync(outputFile));
});

test('apply-app-unit: first deploy (no state yet) succeeds and reports the service URL', async (t) => {
  const after = JSON.stringify({ service_arn: { value: ARN }, service_url: { value: 'abc.eu-west-1.awsapprunner.com' } });
  const cli = fake(t, ['aws', 'terragrunt'], [
    { tool: 'terragrunt', match: ['output'], answers: [{ code: 1, stderr: 'no state' }, { stdout: after }] },
    { tool: 'terragrunt', match: ['apply'], answers: [{}] },
    { tool: 'aws', match: ['list-operations'], answers: [op('op-1', 'SUCCEEDED', 'CREATE_SERVICE')] },
    { tool: 'aws', match: ['describe-service'], answers: [{ stdout: 'RUNNING\n' }] },
  ]);
  const outputFile = join(cli.dir, 'github-output');
  const result = await cli.run(join(scripts, 'apply-app-unit.sh'), ['terragrunt/live/prod/eu-west-1/prod/app', TAG, '60'], { GITHUB_OUTPUT: outputFile });
  t.is(result.code, 0, result.stderr);
  t.is(execFileSync('cat', [outputFile], { encoding: 'utf8' }), `service_arn=${ARN}\nservice_url=abc.eu-west-1.awsapprunner.com\n`);
});

async function serve(t: { teardown: (fn: () => void) => void }, routes: Record<string, [number, string]>): Promise<string> {
  const server: Server = createServer((request, response) => {
    const [status, body] = routes[request.url ?? ''] ?? [404, 'not found'];
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

// Asynchronous, so that the event loop keeps serving the local HTTP server while the script runs.
const runAsync = (file: string, args: string[]) =>
  new Promise<{ status: number | null; stderr: string }>((resolve) => {
    execFile(file, args, (error, _stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }));
  });

test('smoke-test: passes on ready + a JWK set with keys, fails on 503 or an empty key set', async (t) => {
  const jwks = JSON.stringify({ keys: [{ kty: 'EC', kid: 'k1', crv: 'P-256', x: 'x', y: 'y' }] });
  const good = await serve(t, { '/readyz': [200, '{"status":"ok"}'], '/.well-known/jwks.json': [200, jwks] });
  t.is((await runAsync(join(scripts, 'smoke-test.sh'), [good, '1', '0'])).status, 0);
  const notReady = await serve(t, { '/readyz': [503, '{}'], '/.well-known/jwks.json': [200, jwks] });
  t.is((await runAsync(join(scripts, 'smoke-test.sh'), [notReady, '2', '0'])).status, 1);
  const noKeys = await serve(t, { '/readyz': [200, '{}'], '/.well-known/jwks.json': [200, '{"keys":[]}'] });
  const failed = await runAsync(join(scripts, 'smoke-test.sh'), [noKeys, '1', '0']);
  t.is(failed.status, 1);
  t.regex(failed.stderr, /smoke test failed/);
});

test('install-terragrunt: installs a checksum-verified archive and refuses a tampered one', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'install-terragrunt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const release = join(dir, 'release');
  mkdirSync(join(release, 'pkg'), { recursive: true });
  writeFileSync(join(release, 'pkg', 'terragrunt'), '#!/bin/sh\necho "terragrunt version v9.9.9"\n');
  chmodSync(join(release, 'pkg', 'terragrunt'), 0o755);
  execFileSync('tar', ['-czf', join(release, 'terragrunt_linux_amd64.tar.gz'), '-C', join(release, 'pkg'), 'terragrunt']);
  const sha = (file: string) => createHash('sha256').update(execFileSync('cat', [file])).digest('hex');
  const writeSums = (hash: string) =>
    writeFileSync(join(release, 'SHA256SUMS'), `${'0'.repeat(64)}  terragrunt_darwin_arm64.tar.gz\n${hash}  terragrunt_linux_amd64.tar.gz\n`);
  // A fake curl that serves the release folder: `curl ... -o FILE URL`.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'curl'), `#!/usr/bin/env bash\nout=""; url=""\nwhile [[ $# -gt 0 ]]; do case "$1" in -o) out="$2"; shift 2;; http*) url="$1"; shift;; *) shift;; esac; done\ncp "${release}/\${url##*/}" "$out"\n`);
  chmodSync(join(bin, 'curl'), 0o755);
  writeFileSync(join(dir, 'version'), '9.9.9\n');
  const install = (target: string) =>
    spawnSync(join(scripts, 'install-terragrunt.sh'), [join(dir, 'version'), target], {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      encoding: 'utf8',
    });

  writeSums(sha(join(release, 'terragrunt_linux_amd64.tar.gz')));
  const ok = install(join(dir, 'ok'));
  t.is(ok.status, 0, ok.stderr);
  t.regex(ok.stdout, /terragrunt version v9\.9\.9/);

  writeSums('f'.repeat(64));
  const tampered = install(join(dir, 'tampered'));
  t.not(tampered.status, 0);
  t.false(existsSync(join(dir, 'tampered', 'terragrunt')));

  writeFileSync(join(dir, 'version'), 'latest\n');
  t.not(install(join(dir, 'bad-version')).status, 0);
});
