// Terraform CLI settings shared by every script that runs terraform offline.
// When a local filesystem mirror of providers exists (this machine: /opt/tf-plugins), Terraform is
// pointed at it and told not to reach any registry for the providers it holds; elsewhere the normal
// registry is used. TF_PLUGIN_MIRROR overrides the mirror location.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const DEFAULT_MIRRORS = ['/opt/tf-plugins', '/usr/share/terraform/plugins', join(process.env.HOME ?? '/root', '.terraform.d', 'plugins')];

export function providerMirror() {
  const candidates = process.env.TF_PLUGIN_MIRROR ? [process.env.TF_PLUGIN_MIRROR] : DEFAULT_MIRRORS;
  return candidates.find((dir) => existsSync(join(dir, 'registry.terraform.io')));
}

/** Lists `namespace/type` of the providers a mirror holds, e.g. `hashicorp/aws`. */
export function mirroredProviders(mirror = providerMirror()) {
  if (!mirror) return [];
  const root = join(mirror, 'registry.terraform.io');
  return readdirSync(root).flatMap((namespace) => readdirSync(join(root, namespace)).map((type) => `${namespace}/${type}`));
}

let runDir;

// One folder per process, not a fixed path: a fixed /tmp/auth-platform-terraform that another user created
// stops everyone else (issue 18). It is deleted when the process exits.
function terraformRunDir() {
  if (!runDir) {
    runDir = mkdtempSync(join(tmpdir(), 'auth-platform-terraform-'));
    process.once('exit', () => rmSync(runDir, { recursive: true, force: true }));
  }
  return runDir;
}

/**
 * Returns the env for running terraform: a CLI config that uses the mirror for what it holds (else a plugin
 * cache for this run), no telemetry, and no interactive prompts. The CLI config lives in a folder of this
 * process's own, removed at exit.
 */
export function terraformEnv(baseEnv = process.env) {
  const mirror = providerMirror();
  const dir = terraformRunDir();
  mkdirSync(join(dir, 'plugin-cache'), { recursive: true });
  const configFile = join(dir, 'terraformrc');
  const includes = mirroredProviders(mirror).map((name) => `"registry.terraform.io/${name}"`).join(', ');
  const config = mirror
    ? `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = [${includes}]\n  }\n  direct {\n    exclude = [${includes}]\n  }\n}\n`
    : `plugin_cache_dir = "${join(dir, 'plugin-cache')}"\n`;
  writeFileSync(configFile, config);
  return {
    ...baseEnv,
    TF_CLI_CONFIG_FILE: configFile,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  };
}

/** Dummy credentials and region so that plan/validate never look for real ones. */
export const dummyAwsEnv = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};
