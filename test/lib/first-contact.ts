// Helpers for the first-contact tests (issue 12): the real Terragrunt (`terragrunt render --format json`) for what
// a live unit passes, and the real AWS provider (hashicorp/aws from the local mirror) for what a module plans.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { modulesDir, repoRoot } from './hcl.ts';
import { startAwsStub } from './aws-stub.ts';

const run = promisify(execFile);

interface TerraformCli {
  terraformEnv: (base?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  dummyAwsEnv: Record<string, string>;
}
// A plain .mjs file: imported through a variable so its type comes from the interface above.
const cliPath = '../../scripts/lib/terraform-cli.mjs';
const cli = (await import(cliPath)) as TerraformCli;

export { renderUnit, type RenderedUnit } from './terragrunt.ts';

/** Escapes Terraform JSON-syntax template sequences so input strings reach the module verbatim. */
function literal(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  if (Array.isArray(value)) return value.map(literal);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, literal(item)]));
  return value;
}

/** One resource instance of a hand-made prior state (Terraform state format version 4). */
export interface PriorInstance {
  type: string;
  name: string;
  indexKey?: string;
  attributes: Record<string, unknown>;
}

/** The parts of `terraform show -json <plan>` these tests read. */
export interface PlanJson {
  resource_changes?: { address: string; type: string; name: string; index?: string | number; change: { actions: string[]; after?: Record<string, unknown> | null } }[];
}

/**
 * Plans a module of terragrunt/modules with the real AWS provider, offline: `terraform plan -refresh=false`
 * over a root that calls the module as `module.m` with `inputs`, starting from `prior` resources in state (so
 * their attributes, e.g. ARNs, are known and changes to them show as updates or replacements). STS is answered by
 * the loopback stub of aws-stub.ts; nothing else is called.
 * @returns the plan as `terraform show -json` prints it
 * @throws Error with Terraform's output when init or plan fails
 */
export async function planModule(options: { module: string; inputs: Record<string, unknown>; prior?: PriorInstance[]; accountId: string; region: string }): Promise<PlanJson> {
  const dir = mkdtempSync(join(tmpdir(), 'first-contact-plan-'));
  const stub = await startAwsStub({ accountId: options.accountId, region: options.region });
  try {
    cpSync(modulesDir, join(dir, 'modules'), { recursive: true, filter: (source) => !source.includes('.terraform') });
    const root = {
      provider: {
        aws: {
          region: options.region,
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
          endpoints: { sts: stub.url },
        },
      },
      module: { m: { source: `./modules/${options.module}`, ...(literal(options.inputs) as Record<string, unknown>) } },
    };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(root, null, 2));
    if (options.prior) {
      const provider = 'provider["registry.terraform.io/hashicorp/aws"]';
      const byResource = new Map<string, { type: string; name: string; instances: unknown[] }>();
      for (const instance of options.prior) {
        const key = `${instance.type}.${instance.name}`;
        if (!byResource.has(key)) byResource.set(key, { type: instance.type, name: instance.name, instances: [] });
        byResource.get(key)!.instances.push({ ...(instance.indexKey === undefined ? {} : { index_key: instance.indexKey }), schema_version: 0, attributes: instance.attributes });
      }
      const state = {
        version: 4,
        terraform_version: '1.11.4',
        serial: 1,
        lineage: '00000000-0000-4000-8000-000000000000',
        outputs: {},
        resources: [...byResource.values()].map((resource) => ({ module: 'module.m', mode: 'managed', type: resource.type, name: resource.name, provider, instances: resource.instances })),
      };
      writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(state, null, 2));
    }
    const env = { ...cli.terraformEnv(), ...cli.dummyAwsEnv };
    const terraform = async (args: string[]) => {
      try {
        return (await run('terraform', [...args, '-no-color'], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 })).stdout;
      } catch (error) {
        const failure = error as { stdout?: string; stderr?: string };
        throw new Error(`terraform ${args[0]} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
      }
    };
    await terraform(['init', '-input=false']);
    await terraform(['plan', '-input=false', '-refresh=false', '-lock=false', '-out=plan.bin']);
    return JSON.parse(await terraform(['show', '-json', 'plan.bin'])) as PlanJson;
  } finally {
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export { repoRoot };
