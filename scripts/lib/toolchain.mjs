// Where `npm run tools` (scripts/tools.mjs) installs the pinned external toolchain, and how scripts and tests
// find it. Everything lives under `.local/tools/` in the checkout (git-ignored): Go-built binaries in `bin/`,
// the Python tools in the virtualenv `venv/`. Versions are pinned in `.tool-versions` (Terraform and Terragrunt
// in `.terraform-version` and `.terragrunt-version`).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const toolsDir = join(repoRoot, '.local', 'tools');
export const binDir = join(toolsDir, 'bin');
export const venvDir = join(toolsDir, 'venv');
/** The AWS CLI's own virtualenv (it pins botocore exactly). */
export const awsVenvDir = join(toolsDir, 'aws-venv');

/** Tools built from Go modules into `bin/`. */
const GO_TOOLS = new Set(['terragrunt', 'tflint', 'terraform-docs']);
/** Console scripts of the virtualenv: checkov, schemathesis (`st`, `schemathesis`) and moto (`moto_server`). */
const VENV_TOOLS = new Set(['checkov', 'st', 'schemathesis', 'moto_server', 'python']);

/**
 * Absolute path of an installed tool.
 * @param {string} name `terragrunt`, `tflint`, `terraform-docs`, `checkov`, `st`, `schemathesis`, `moto_server`, `python` (the venv's) or `aws` (the AWS CLI, in its own venv)
 * @returns {string} the executable's absolute path
 * @throws {Error} one line, "<name> is not installed: run `npm run tools`", when it is absent (or the name is unknown)
 */
export function toolPath(name) {
  const path = GO_TOOLS.has(name)
    ? join(binDir, name)
    : VENV_TOOLS.has(name)
      ? join(venvDir, 'bin', name)
      : name === 'aws'
        ? join(awsVenvDir, 'bin', 'aws')
        : undefined;
  if (!path || !existsSync(path)) throw new Error(`${name} is not installed: run \`npm run tools\``);
  return path;
}

/**
 * The pinned versions: `.tool-versions` (one `name version` a line, `#` comments) plus `terraform` and
 * `terragrunt` from `.terraform-version` and `.terragrunt-version`.
 * @returns {Record<string, string>} versions without a leading `v`, e.g. `{ terragrunt: '1.1.1', tflint: '0.64.0' }`
 */
export function pinnedVersions() {
  const versions = {};
  for (const line of readFileSync(join(repoRoot, '.tool-versions'), 'utf8').split('\n')) {
    const [name, version] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (name && version) versions[name] = version.replace(/^v/, '');
  }
  versions.terraform = readFileSync(join(repoRoot, '.terraform-version'), 'utf8').trim().replace(/^v/, '');
  versions.terragrunt = readFileSync(join(repoRoot, '.terragrunt-version'), 'utf8').trim().replace(/^v/, '');
  return versions;
}
