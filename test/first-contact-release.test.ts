// First contact with a real Terragrunt release (issue 12, item 1). The fake release below is built by the logic
// of Terragrunt's own release scripts at v1.1.1, not by our belief about them:
//   gruntwork-io/terragrunt v1.1.1 .github/scripts/release/create-archives.sh: in the bin folder, for each
//     `terragrunt_*` binary, `zip "$binary.zip" "$binary"` and `tar -czf "$binary.tar.gz" "$binary"`, so
//     terragrunt_linux_amd64.tar.gz holds one member named terragrunt_linux_amd64 (not `terragrunt`);
//   gruntwork-io/terragrunt v1.1.1 .github/scripts/release/generate-checksums.sh: `sha256sum terragrunt_* >SHA256SUMS`,
//     so SHA256SUMS lists the bare binaries, the zips and the tar.gz archives of every platform.
// (The zips are left out here: the installer never reads them, and zip(1) is not on every test machine.)
// The fake binaries print `terragrunt version v1.1.1`, what the real `terragrunt --version` of v1.1.1 prints
// (measured with .local/tools/bin/terragrunt), followed by their platform so that the test sees which one was
// installed. The fake curl serves the release folder for the GitHub release asset URL
// https://github.com/gruntwork-io/terragrunt/releases/download/v<version>/<asset>, the form of the release
// assets' download links.
import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { repoRoot } from './lib/hcl.ts';

const installer = join(repoRoot, '.github', 'scripts', 'install-terragrunt.sh');

/** Builds <dir>/release the way create-archives.sh and generate-checksums.sh (v1.1.1) build `bin/`. */
function buildRelease(dir: string): string {
  const bin = join(dir, 'release');
  mkdirSync(bin, { recursive: true });
  for (const platform of ['linux_amd64', 'linux_arm64', 'darwin_arm64']) {
    const binary = `terragrunt_${platform}`;
    writeFileSync(join(bin, binary), `#!/bin/sh\necho "terragrunt version v1.1.1 (${platform})"\n`);
    chmodSync(join(bin, binary), 0o755);
  }
  // create-archives.sh: `for binary in terragrunt_*; do ... tar -czf "$binary.tar.gz" "$binary"; done` (cwd = bin).
  execFileSync('bash', ['-c', 'set -euo pipefail; for binary in terragrunt_*; do tar -czf "$binary.tar.gz" "$binary"; done'], { cwd: bin });
  // generate-checksums.sh: `sha256sum terragrunt_* >SHA256SUMS` (cwd = bin).
  execFileSync('bash', ['-c', 'sha256sum terragrunt_* >SHA256SUMS'], { cwd: bin });
  return bin;
}

function fakeCurl(dir: string, release: string): string {
  // Serves the release folder for `curl ... -o FILE https://github.com/.../releases/download/vX/ASSET`.
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'curl'),
    `#!/usr/bin/env bash\nout=""; url=""\nwhile [[ $# -gt 0 ]]; do case "$1" in -o) out="$2"; shift 2;; http*) url="$1"; shift;; *) shift;; esac; done\ncp "${release}/\${url##*/}" "$out"\n`,
  );
  chmodSync(join(bin, 'curl'), 0o755);
  return bin;
}

test('install-terragrunt installs the binary from a v1.1.1-shaped release archive (create-archives.sh layout)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'first-contact-release-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const release = buildRelease(dir);
  const bin = fakeCurl(dir, release);
  writeFileSync(join(dir, 'version'), '1.1.1\n');
  const target = join(dir, 'installed');
  const run = spawnSync(installer, [join(dir, 'version'), target], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  t.true(existsSync(join(target, 'terragrunt')));
  t.regex(run.stdout, /terragrunt version v1\.1\.1 \(linux_amd64\)/);
});

test('install-terragrunt refuses an archive without the create-archives.sh member name', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'first-contact-release-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const release = buildRelease(dir);
  // An archive holding `terragrunt` (the layout the old installer assumed), with a matching checksum line.
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'terragrunt'), '#!/bin/sh\necho wrong\n');
  execFileSync('tar', ['-czf', join(release, 'terragrunt_linux_amd64.tar.gz'), '-C', join(dir, 'other'), 'terragrunt']);
  execFileSync('bash', ['-c', 'sha256sum terragrunt_* >SHA256SUMS'], { cwd: release });
  const bin = fakeCurl(dir, release);
  writeFileSync(join(dir, 'version'), '1.1.1\n');
  const run = spawnSync(installer, [join(dir, 'version'), join(dir, 'installed')], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
  t.not(run.status, 0);
  t.regex(run.stderr, /holds no terragrunt_linux_amd64/);
});
