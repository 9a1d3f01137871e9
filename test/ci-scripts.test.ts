// The CI-only scripts (.github/scripts), run for real against fake aws, skopeo and curl CLIs
// (test/lib/fake-cli.ts): the image push must never overwrite or rebuild, and the Terragrunt installer must
// reject a checksum mismatch. The deploy scripts the workflows share with operators (apply-app-unit,
// apprunner-wait, smoke-test in runbooks/scripts) are tested in test/runbook-scripts.test.ts.
// The fake answers are shaped after the real artefacts:
//   - `aws ecr describe-images --query 'imageDetails[0].imageDigest' --output text` prints the digest (ECR API
//     2015-09-21, imageDigest `sha256:` + 64 hex); a tag the repository lacks is the error ImageNotFoundException,
//     printed by the AWS CLI v2 as `An error occurred (ImageNotFoundException) when calling the DescribeImages
//     operation: <message>` (botocore ClientError; message as moto 5.2.5 moto/ecr/exceptions.py reproduces ECR's)
//     with exit code 254 ("Command line return codes", AWS CLI v2 user guide);
//   - `aws ecr get-login-password` prints the registry password alone on stdout (AWS CLI v2 command reference);
//     skopeo login/copy print nothing the script reads (skopeo(1) man pages, containers/skopeo v1.x);
//   - the Terragrunt release: archives and SHA256SUMS as gruntwork-io/terragrunt v1.1.1
//     .github/scripts/release/create-archives.sh (`tar -czf "$binary.tar.gz" "$binary"`, one member named
//     terragrunt_linux_amd64) and generate-checksums.sh (`sha256sum terragrunt_* >SHA256SUMS`, `<hash>  <file>`
//     lines); the fake binary prints `terragrunt version v9.9.9`, the form of the real `terragrunt --version`
//     ("terragrunt version v1.1.1"). test/first-contact-release.test.ts builds the whole v1.1.1 release layout.
import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FakeCli, type FakeRule } from './lib/fake-cli.ts';
import { repoRoot } from './lib/hcl.ts';

const scripts = join(repoRoot, '.github', 'scripts');

function fake(t: { teardown: (fn: () => void) => void }, tools: string[], scenario: FakeRule[]): FakeCli {
  const cli = new FakeCli(tools, scenario);
  t.teardown(() => rmSync(cli.dir, { recursive: true, force: true }));
  return cli;
}

const REPO = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/auth-platform/auth';
const TAG = 'a'.repeat(40);
const DIGEST = `sha256:${'b'.repeat(64)}`;
/** The AWS CLI v2's stderr and exit code for DescribeImages of a tag the repository lacks. */
const imageNotFound = {
  stderr: `\nAn error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageDigest:'null', imageTag:'${TAG}'} does not exist within the repository with name 'auth-platform/auth' in the registry with id '111111111111'\n`,
  code: 254,
};

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
  const cli = fake(t, ['aws', 'skopeo'], [{ tool: 'aws', match: ['describe-images'], answers: [imageNotFound] }]);
  const result = await cli.run(join(scripts, 'push-image.sh'), [REPO, TAG, '', '']);
  t.is(result.code, 1);
  t.regex(result.stderr, /not in this account's ECR/);
});

test('push-image: copies the built archive with preserved digests and verifies the digest ECR reports', async (t) => {
  const scenario = (pushed: string): FakeRule[] => [
    { tool: 'aws', match: ['describe-images'], answers: [imageNotFound, { stdout: `${pushed}\n` }] },
    { tool: 'aws', match: ['get-login-password'], answers: [{ stdout: 'ecr-token\n' }] },
    { tool: 'skopeo', match: ['login'], answers: [{}] },
    { tool: 'skopeo', match: ['copy'], answers: [{}] },
  ];
  const ok = fake(t, ['aws', 'skopeo'], scenario(DIGEST));
  const result = await ok.run(join(scripts, 'push-image.sh'), [REPO, TAG, DIGEST, '/tmp/image.tar'], { FAKE_CLI_READ_STDIN: 'skopeo' });
  t.is(result.code, 0, result.stderr);
  const login = ok.calls().find((c) => c.tool === 'skopeo' && c.argv[0] === 'login')!;
  t.deepEqual(login.argv, ['login', '--username', 'AWS', '--password-stdin', '111111111111.dkr.ecr.eu-west-1.amazonaws.com']);
  t.is(login.stdin, 'ecr-token\n');
  const copy = ok.calls().find((c) => c.tool === 'skopeo' && c.argv[0] === 'copy')!;
  t.deepEqual(copy.argv, ['copy', '--preserve-digests', 'oci-archive:/tmp/image.tar', `docker://${REPO}:${TAG}`]);

  const mismatch = fake(t, ['aws', 'skopeo'], scenario(`sha256:${'d'.repeat(64)}`));
  const bad = await mismatch.run(join(scripts, 'push-image.sh'), [REPO, TAG, DIGEST, '/tmp/image.tar'], { FAKE_CLI_READ_STDIN: 'skopeo' });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /ECR reports/);
});

test('install-terragrunt: installs a checksum-verified archive and refuses a tampered one', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'install-terragrunt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const release = join(dir, 'release');
  mkdirSync(join(release, 'pkg'), { recursive: true });
  writeFileSync(join(release, 'pkg', 'terragrunt_linux_amd64'), '#!/bin/sh\necho "terragrunt version v9.9.9"\n');
  chmodSync(join(release, 'pkg', 'terragrunt_linux_amd64'), 0o755);
  execFileSync('tar', ['-czf', join(release, 'terragrunt_linux_amd64.tar.gz'), '-C', join(release, 'pkg'), 'terragrunt_linux_amd64']); // member name per Terragrunt v1.1.1 create-archives.sh
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
