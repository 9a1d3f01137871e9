// The real Terragrunt (.local/tools/bin/terragrunt from `npm run tools`, version in .terragrunt-version) for the
// tests of the live tree: `terragrunt render --format json` for what a unit passes to its module, and a plain
// runner for `hcl fmt`, `hcl validate` and `find`. Nothing here evaluates HCL itself.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { liveDir } from './hcl.ts';

const run = promisify(execFile);

interface TerraformCli {
  terraformEnv: (base?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  dummyAwsEnv: Record<string, string>;
}
interface Toolchain {
  toolPath: (name: string) => string;
}
// Plain .mjs files: imported through a variable so their types come from the interfaces above.
const cliPath = '../../scripts/lib/terraform-cli.mjs';
const toolchainPath = '../../scripts/lib/toolchain.mjs';
const cli = (await import(cliPath)) as TerraformCli;
const toolchain = (await import(toolchainPath)) as Toolchain;

// The Rendered* shapes below are the cty tags of Terragrunt v1.1.1's config structs, which render serialises
// (pkg/config/config_as_cty.go, TerragruntConfigAsCty; dependency blocks as a map by name, dependencyBlocksAsCty):
// pkg/config/dependency.go Dependency (`skip_outputs` renders as `skip`), pkg/config/config.go Hook, and
// pkg/config/exclude.go ExcludeConfig. Only the fields the tests read are typed; the rest pass through.
/** One `dependency` block as `terragrunt render --format json` prints it (Terragrunt v1.1.1, config.Dependency). */
export interface RenderedDependency {
  name: string;
  config_path: string;
  enabled?: boolean | null;
  skip?: boolean | null;
  mock_outputs?: Record<string, unknown> | null;
  mock_outputs_allowed_terraform_commands?: string[] | null;
  mock_outputs_merge_strategy_with_state?: string | null;
  mock_outputs_merge_with_state?: boolean | null;
  outputs?: Record<string, unknown> | null;
  inputs?: Record<string, unknown> | null;
}

/** A hook as rendered (Terragrunt v1.1.1, config.Hook). */
export interface RenderedHook { name: string; commands: string[]; execute: string[] }

/** What `terragrunt render --format json` prints for a unit (Terragrunt v1.1.1): the fully evaluated config. */
export interface RenderedUnit {
  inputs: Record<string, unknown>;
  locals?: Record<string, unknown>;
  terraform?: { source?: string | null; before_hook?: Record<string, RenderedHook>; after_hook?: Record<string, RenderedHook> };
  remote_state?: { backend: string; config: Record<string, unknown>; generate?: { path: string; if_exists: string } | null };
  dependency?: Record<string, RenderedDependency>;
  dependencies?: { paths: string[] } | null;
  exclude?: { if: boolean; actions: string[]; no_run?: boolean | null; exclude_dependencies?: boolean | null } | null;
  [key: string]: unknown;
}

/** The environment every Terragrunt run of the tests gets: the local provider mirror, dummy AWS credentials, and
 *  every AWS endpoint on a closed loopback port (discard, 9), so that no request leaves the machine. */
export function terragruntEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...cli.terraformEnv(),
    ...cli.dummyAwsEnv,
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
    HOME: home,
    TG_DOWNLOAD_DIR: join(home, 'cache'),
    TG_NON_INTERACTIVE: 'true',
    TG_NO_COLOR: 'true',
    ...extra,
  };
}

/**
 * Runs the real Terragrunt with arguments, in `cwd`.
 * @returns exit status, stdout, and stdout+stderr together (for assertion messages)
 * @throws Error "terragrunt is not installed: run `npm run tools`" when it is absent
 */
export async function terragrunt(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ status: number; stdout: string; output: string }> {
  const binary = toolchain.toolPath('terragrunt');
  const home = mkdtempSync(join(tmpdir(), 'tg-test-'));
  try {
    const { stdout, stderr } = await run(binary, args, { cwd, env: terragruntEnv(home, env), maxBuffer: 64 * 1024 * 1024 });
    return { status: 0, stdout, output: `${stdout}${stderr}` };
  } catch (error) {
    const failure = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (typeof failure.code !== 'number') throw error;
    return { status: failure.code, stdout: failure.stdout ?? '', output: `${failure.stdout ?? ''}${failure.stderr ?? failure.message}` };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const rendered = new Map<string, Promise<RenderedUnit>>();

/** At most this many Terragrunt processes at a time (a shared machine). */
const MAX_RUNNING = 3;
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resume) => waiting.push(resume));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Renders one live unit with the real Terragrunt: `terragrunt render --format json` in live/<unit>. Dependency
 * outputs come from the mocks: render reads each dependency's state first and falls back to its mock_outputs when
 * that fails (Terragrunt v1.1.1 pkg/config/dependency.go, getTerragruntOutput, isRenderCommand). With
 * `--dependency-fetch-output-from-state` it reads the S3 state object directly instead of running `terraform
 * output` in each dependency, and the S3 endpoint is a closed loopback port, so the read fails at once.
 * Results are memoised per unit and environment within a test file.
 * @param unit unit path under terragrunt/live, e.g. `nonprod/eu-west-1/dev/secrets`, or an absolute unit folder
 * @param env extra environment (e.g. IMAGE_TAG)
 * @throws Error with Terragrunt's output when it fails, or "terragrunt is not installed: run `npm run tools`"
 */
export function renderUnit(unit: string, env: Record<string, string> = {}): Promise<RenderedUnit> {
  const key = `${unit}\0${JSON.stringify(env)}`;
  let result = rendered.get(key);
  if (!result) {
    result = limited(() => terragrunt(['render', '--format', 'json', '--dependency-fetch-output-from-state'], resolve(liveDir, unit), env)).then(({ status, stdout, output }) => {
      if (status !== 0) throw new Error(`terragrunt render in live/${unit} failed:\n${output}`);
      return JSON.parse(stdout) as RenderedUnit;
    });
    rendered.set(key, result);
  }
  return result;
}
