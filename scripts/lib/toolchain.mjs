// The pinned tools that `npm run tools` installs into .local/tools/ (git-ignored): terragrunt, tflint and
// terraform-docs in .local/tools/bin/, and checkov, st (schemathesis) and moto_server in the .local/tools/venv/
// virtualenv. Scripts and tests find them here, never on PATH, so every machine runs the same versions.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '.local', 'tools');
const VENV_TOOLS = new Set(['checkov', 'st', 'schemathesis', 'moto_server']);

/**
 * Absolute path of an installed tool.
 * @param {string} name tool name: terragrunt, tflint, terraform-docs, checkov, st, schemathesis, moto_server
 * @returns {string} the executable's absolute path
 * @throws {Error} with the one-line message "<name> is not installed: run `npm run tools`" when it is missing
 */
export function toolPath(name) {
  const path = VENV_TOOLS.has(name) ? join(toolsDir, 'venv', 'bin', name) : join(toolsDir, 'bin', name);
  if (!existsSync(path)) throw new Error(`${name} is not installed: run \`npm run tools\``);
  return path;
}
