// runbooks/scripts/image-digest.sh, the one place where a deploy (deploy-app.sh) and an infrastructure apply
// (infra.yml) turn an image tag into the digest the ECS task definition runs, run with the real AWS CLI
// (`npm run tools`: .local/tools/aws-venv) against moto's ECR (moto_server, the maintained AWS emulator) on a
// loopback port. Images are put with `aws ecr put-image`, each with the digest ECR gives a manifest: the sha256 of
// its bytes (OCI image spec, "Digests"; ECR API reference, PutImage imageDigest).
import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto as startMotoServer } from '../scripts/lib/moto.mjs';
import { toolPath } from '../scripts/lib/toolchain.mjs';
import { repoRoot } from './lib/hcl.ts';

const script = join(repoRoot, 'runbooks', 'scripts', 'image-digest.sh');
const ACCOUNT = '111111111111';
const REPOSITORY = 'auth-platform/auth';
const SHA = 'c'.repeat(40);
const OTHER_SHA = 'd'.repeat(40);

interface Run { code: number; stdout: string; stderr: string }
interface Moto { env: Record<string, string>; run: (file: string, args: string[], extra?: Record<string, string>) => Promise<Run> }

/** moto_server on a free loopback port (scripts/lib/moto.mjs, as plan:offline starts it), and the real aws CLI first on PATH. */
async function startMoto(t: { teardown: (fn: () => void) => void }): Promise<Moto> {
  const { url, stop } = await startMotoServer(ACCOUNT);
  t.teardown(stop);
  const home = mkdtempSync(join(tmpdir(), 'image-digest-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(toolPath('aws'), join(bin, 'aws'));
  const env = {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: home,
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  const run = (file: string, args: string[], extra: Record<string, string> = {}) => new Promise<Run>((resolveRun) => {
    execFile(file, args, { env: { ...env, ...extra }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolveRun({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
  return { env, run };
}

/** A one-layer image manifest (Docker image manifest v2, schema 2) and its digest, as ECR computes it. */
function manifest(seed: string): { text: string; digest: string } {
  const blob = (data: string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const text = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: blob(`config ${seed}`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 3370706, digest: blob(`layer ${seed}`) }],
  });
  return { text, digest: `sha256:${createHash('sha256').update(text).digest('hex')}` };
}

async function putImage(moto: Moto, repository: string, tag: string, image: { text: string; digest: string }): Promise<void> {
  const put = await moto.run('aws', ['ecr', 'put-image', '--repository-name', repository, '--image-tag', tag,
    '--image-manifest', image.text, '--image-digest', image.digest, '--output', 'json']);
  if (put.code !== 0) throw new Error(`aws ecr put-image: ${put.stderr}`);
}

test('image-digest: prints the digest ECR holds for the tag, in the default and in a named repository', async (t) => {
  const moto = await startMoto(t);
  for (const repository of [REPOSITORY, 'auth-platform/other']) {
    const created = await moto.run('aws', ['ecr', 'create-repository', '--repository-name', repository, '--image-tag-mutability', 'IMMUTABLE']);
    t.is(created.code, 0, created.stderr);
  }
  const current = manifest('current');
  const previous = manifest('previous');
  await putImage(moto, REPOSITORY, SHA, current);
  await putImage(moto, REPOSITORY, OTHER_SHA, previous);
  await putImage(moto, 'auth-platform/other', SHA, previous);

  const resolved = await moto.run(script, [SHA]);
  t.is(resolved.code, 0, resolved.stderr);
  t.is(resolved.stdout, `${current.digest}\n`);
  // Each tag its own image: a rollback to the earlier SHA gets the earlier digest.
  t.is((await moto.run(script, [OTHER_SHA])).stdout, `${previous.digest}\n`);
  // The repository: the second argument, else ECR_REPOSITORY, else auth-platform/auth.
  t.is((await moto.run(script, [SHA, 'auth-platform/other'])).stdout, `${previous.digest}\n`);
  t.is((await moto.run(script, [SHA], { ECR_REPOSITORY: 'auth-platform/other' })).stdout, `${previous.digest}\n`);
});

test('image-digest: a tag missing from ECR, or a missing repository, fails in one line naming the image and ECR\'s error', async (t) => {
  const moto = await startMoto(t);
  t.is((await moto.run('aws', ['ecr', 'create-repository', '--repository-name', REPOSITORY])).code, 0);
  await putImage(moto, REPOSITORY, SHA, manifest('current'));

  const missing = await moto.run(script, [OTHER_SHA]);
  t.is(missing.code, 1);
  t.is(missing.stdout, '');
  t.is(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  t.regex(missing.stderr, new RegExp(`image ${REPOSITORY}:${OTHER_SHA} is not in ECR \\(eu-west-1\\), or ECR cannot be read: .*ImageNotFoundException.*; build and push it first`));

  const noRepository = await moto.run(script, [SHA, 'auth-platform/absent']);
  t.is(noRepository.code, 1);
  t.is(noRepository.stderr.trim().split('\n').length, 1, noRepository.stderr);
  t.regex(noRepository.stderr, /RepositoryNotFoundException/);
});

test('image-digest: prints usage without a tag', async (t) => {
  const result = await new Promise<Run>((resolveRun) => {
    execFile(script, [], { env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) => {
      resolveRun({ code: error ? Number(error.code) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
  t.not(result.code, 0);
  t.regex(result.stderr, /usage: image-digest.sh <image-tag> \[repository-name\]/);
});
