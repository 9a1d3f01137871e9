// `terraform plan` smoke for units of the live tree in one Terraform run: each AWS-only unit becomes a
// module block in one temporary root, called with the unit's inputs as the real `terragrunt render` gives them
// (env/account/region locals, get_env defaults, dependency mock outputs; test/lib/terragrunt.ts). The real AWS provider from the local
// mirror plans it offline with dummy credentials; the two read-only AWS calls our data sources make are answered
// by a loopback stub (aws-stub.ts). This catches what parsing cannot: input types, variable validations,
// for_each/count over inputs and module-internal expressions over the given values. Units whose module needs
// another provider (clickhouse-cloud) are not planned; their inputs only meet a copy of the module's variables.tf.
// Not covered: anything AWS decides at apply time (name clashes, quotas, IAM policy grammar beyond the provider's
// checks), data sources other than the two stubbed calls, and real dependency outputs (mocks stand in).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findFiles, liveDir, modulesDir, parseHclFile, type HclJson } from './hcl.ts';
import { renderUnit } from './terragrunt.ts';
import { startAwsStub } from './aws-stub.ts';

const run = promisify(execFile);

interface TerraformCli {
  terraformEnv: (base?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  dummyAwsEnv: Record<string, string>;
  mirroredProviders: () => string[];
}
// A plain .mjs without type declarations: imported through a variable so the type comes from the interface above.
const cliPath = '../../scripts/lib/terraform-cli.mjs';
const cli = (await import(cliPath)) as TerraformCli;

export interface SmokeUnit {
  /** Unit path under live/, e.g. `nonprod/eu-west-1/dev/network`. */
  unit: string;
  module: string;
  planned: boolean;
  /** Not planned, but its inputs were type-checked and validated against a copy of the module's variables.tf. */
  variablesOnly?: boolean;
  /** Why a unit is not in the plan (not AWS-only). */
  reason?: string;
  /** Resources the plan would create for this unit. */
  resources?: number;
}

export interface SmokeResult {
  units: SmokeUnit[];
  ok: boolean;
  output: string;
  /** AWS API actions the plan called (answered by the stub), and those the stub could not answer. */
  awsCalls: string[];
  unknownAwsActions: string[];
}

/** Provider sources a module requires, e.g. `hashicorp/aws`, `clickhouse/clickhouse`. */
async function providerSources(moduleDir: string): Promise<string[]> {
  // parseModule merges blocks by label, which loses unlabelled `terraform` blocks: read each file instead.
  const files = readdirSync(moduleDir).filter((name) => name.endsWith('.tf'));
  const blocks = (await Promise.all(files.map((name) => parseHclFile(join(moduleDir, name))))).flatMap((file) => (file.terraform ?? []) as HclJson[]);
  const sources = blocks.flatMap((block) => ((block.required_providers ?? []) as HclJson[]).flatMap((providers) =>
    Object.entries(providers).map(([name, spec]) => String((spec as HclJson)?.source ?? `hashicorp/${name}`).toLowerCase())));
  return [...new Set(sources)];
}

/** Escapes Terraform JSON-syntax template sequences so input strings reach the module verbatim. */
function literal(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  if (Array.isArray(value)) return value.map(literal);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, literal(item)]));
  return value;
}

export async function planSmoke(options: { unitPaths: string[]; accountId: string; region: string }): Promise<SmokeResult> {
  const mirrored = new Set(cli.mirroredProviders().map((name) => name.toLowerCase()));
  const units: SmokeUnit[] = [];
  const modules: Record<string, HclJson> = {};
  const workDir = mkdtempSync(join(tmpdir(), 'plan-smoke-'));

  const unitPaths = findFiles(liveDir, (name) => name === 'terragrunt.hcl')
    .map((file) => relative(liveDir, file).replace(/\/terragrunt\.hcl$/, ''))
    .filter((unitPath) => options.unitPaths.includes(unitPath));
  // Started together; renderUnit runs a few Terragrunt processes at a time.
  for (const unitPath of unitPaths) void renderUnit(unitPath).catch(() => undefined);
  for (const unitPath of unitPaths) {
    const rendered = await renderUnit(unitPath);
    const unitDir = join(liveDir, unitPath);
    const moduleDir = resolve(unitDir, String(rendered.terraform?.source ?? '').replace('//', '/'));
    const moduleName = relative(modulesDir, moduleDir);
    if (!existsSync(moduleDir) || !readdirSync(moduleDir).some((name) => name.endsWith('.tf'))) {
      units.push({ unit: unitPath, module: moduleName, planned: false, reason: `module ${moduleName} does not exist` });
      continue;
    }
    const values = rendered.inputs;
    const name = unitPath.replace(/[^A-Za-z0-9]+/g, '_');
    const foreign = (await providerSources(moduleDir)).filter((source) => source !== 'hashicorp/aws');
    if (foreign.length > 0) {
      // The provider cannot run here, but the inputs can still meet the module's variable types and validations:
      // a copy of its variables.tf alone is called with them (no resources, so no provider).
      const offline = foreign.filter((source) => !mirrored.has(source));
      const variablesDir = join(workDir, 'variables-only', name);
      mkdirSync(variablesDir, { recursive: true });
      copyFileSync(join(moduleDir, 'variables.tf'), join(variablesDir, 'variables.tf'));
      modules[name] = { source: `./variables-only/${name}`, ...(literal(values) as HclJson) };
      units.push({ unit: unitPath, module: moduleName, planned: false, variablesOnly: true, reason: `not AWS-only: needs ${foreign.join(', ')}${offline.length ? ' (not in the local provider mirror)' : ''}; inputs checked against its variables.tf only` });
      continue;
    }
    modules[name] = { source: relative(workDir, moduleDir).startsWith('.') ? relative(workDir, moduleDir) : `./${relative(workDir, moduleDir)}`, ...(literal(values) as HclJson) };
    units.push({ unit: unitPath, module: moduleName, planned: true });
  }

  const stub = await startAwsStub({ accountId: options.accountId, region: options.region });
  try {
    writeFileSync(join(workDir, 'main.tf.json'), JSON.stringify({
      terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } },
      provider: {
        aws: {
          region: options.region,
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
          // Only the stubbed read-only APIs; resources are only planned, so nothing else is called.
          endpoints: { sts: stub.url, ec2: stub.url },
        },
      },
      module: modules,
    }, null, 2));
    const env = { ...cli.terraformEnv(), ...cli.dummyAwsEnv, AWS_REGION: options.region};
    const terraform = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await run('terraform', args, { cwd: workDir, env, maxBuffer: 64 * 1024 * 1024 });
        return { ok: true, output: stdout + stderr };
      } catch (error) {
        const failure = error as { stdout?: string; stderr?: string; message: string };
        return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? failure.message}` };
      }
    };
    const init = await terraform('init', '-backend=false', '-no-color', '-input=false');
    if (!init.ok) return { units, ok: false, output: init.output, awsCalls: [...new Set(stub.calls)], unknownAwsActions: stub.unknownActions };
    const plan = await terraform('plan', '-no-color', '-input=false', '-lock=false', '-refresh=false', '-out=smoke.tfplan');
    if (plan.ok) {
      const shown = await terraform('show', '-json', 'smoke.tfplan');
      const changes = (JSON.parse(shown.output).resource_changes ?? []) as Array<{ module_address?: string; change: { actions: string[] } }>;
      for (const unit of units.filter((entry) => entry.planned)) {
        const prefix = `module.${unit.unit.replace(/[^A-Za-z0-9]+/g, '_')}`;
        unit.resources = changes.filter((change) => (change.module_address ?? '').startsWith(prefix) && change.change.actions.includes('create')).length;
      }
    }
    return { units, ok: plan.ok, output: plan.output, awsCalls: [...new Set(stub.calls)], unknownAwsActions: stub.unknownActions };
  } finally {
    await stub.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

