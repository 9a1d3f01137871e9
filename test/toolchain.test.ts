// The toolchain interface (scripts/lib/toolchain.mjs) and `npm run tools` (scripts/tools.mjs).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedVersions, repoRoot, toolPath } from '../scripts/lib/toolchain.mjs';

test('toolPath names the missing tool and the command to run, in one line', (t) => {
  const error = t.throws(() => toolPath('no-such-tool'));
  t.is(error.message, 'no-such-tool is not installed: run `npm run tools`');
});

test('every pinned tool is installed at an absolute path (npm run tools ran)', (t) => {
  for (const name of ['terragrunt', 'tflint', 'terraform-docs', 'checkov', 'st', 'moto_server']) {
    t.true(toolPath(name).startsWith(join(repoRoot, '.local', 'tools')), name);
  }
});

test('the pins: Terraform and Terragrunt from their version files, the rest from .tool-versions', (t) => {
  const versions = pinnedVersions();
  t.is(versions.terragrunt, readFileSync(join(repoRoot, '.terragrunt-version'), 'utf8').trim());
  t.is(versions.terraform, readFileSync(join(repoRoot, '.terraform-version'), 'utf8').trim());
  for (const name of ['tflint', 'terraform-docs', 'checkov', 'schemathesis', 'moto']) t.regex(versions[name] ?? '', /^\d+\.\d+\.\d+$/, name);
});

test('terragrunt --version prints the pinned version (the release ldflags were applied)', (t) => {
  const result = spawnSync(toolPath('terragrunt'), ['--version'], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
  t.true(result.stdout.includes(`v${pinnedVersions().terragrunt}`), result.stdout);
});

test('a second npm run tools builds nothing: every tool is found by its version stamp', (t) => {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'tools.mjs')], { encoding: 'utf8', cwd: repoRoot });
  t.is(result.status, 0, result.stderr);
  const versions = pinnedVersions();
  for (const line of [`ok   terragrunt v${versions.terragrunt} (installed)`, `ok   tflint v${versions.tflint} (installed)`, `ok   terraform-docs v${versions['terraform-docs']} (installed)`]) {
    t.true(result.stdout.includes(line), `${line}\n${result.stdout}`);
  }
  t.notRegex(result.stdout, /build from the Go module proxy|pip install/);
});
