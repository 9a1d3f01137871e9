// One value from the project's small HCL locals files (account.hcl, region.hcl, env.hcl), which hold one
// `name = "value"` (or `name = value`) per line. Read as text, before Terragrunt runs, by the scripts that set up
// its surroundings (plan-offline.mjs, rehearse.mjs); anything richer goes through `terragrunt render`.
import { readFileSync } from 'node:fs';

/**
 * @param {string} file path of the .hcl file
 * @param {string} name the local's name
 * @returns {string | undefined} its value, without quotes or a trailing `#` comment, or undefined when the file
 *   has no line for it
 */
export function hclLocal(file, name) {
  const match = readFileSync(file, 'utf8').match(new RegExp(`^\\s*${name}\\s*=\\s*"?([^"\\n#]*?)"?\\s*(#.*)?$`, 'm'));
  return match ? match[1].trim() : undefined;
}
