// The toolchain interface (scripts/lib/toolchain.mjs) that scripts and tests use to find `npm run tools`' output.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedVersions, repoRoot, toolPath } from '../scripts/lib/toolchain.mjs';

test('toolPath names the missing tool and the command to run, in one line', (t) => {
  const error = t.throws(() => toolPath('no-such-tool'));
  t.is(error.message, 'no-such-tool is not installed: run `npm run tools`');
});

test('the pins: Terraform and Terragrunt from their version files, the rest from .tool-versions', (t) => {
  const versions = pinnedVersions();
  t.is(versions.terragrunt, readFileSync(join(repoRoot, '.terragrunt-version'), 'utf8').trim());
  t.is(versions.terraform, readFileSync(join(repoRoot, '.terraform-version'), 'utf8').trim());
  for (const name of ['tflint', 'terraform-docs', 'checkov', 'schemathesis', 'moto']) t.regex(versions[name] ?? '', /^\d+\.\d+\.\d+$/, name);
});
