// Finds the saved plans that were built on a dependency's mock outputs, so that they are never applied.
// Terragrunt hands a unit its dependencies' mock_outputs during `plan` when a dependency has no state yet (and,
// with mock_outputs_merge_strategy_with_state, for outputs the dependency's state lacks); Terragrunt v1.1.1,
// pkg/config/dependency.go, getTerragruntOutputIfAppliedElseConfiguredDefault. Such a plan carries placeholder
// subnet, security group or secret ids, and applying it would build on them.
//
//   node --import=tsx scripts/ci/mock-plans.ts --dir plans/json --live-dir terragrunt/live
//
// --dir holds what `terragrunt run --all --json-out-dir DIR plan` writes (DIR/<unit path>/tfplan.json, each the
// output of `terraform show -json`: Terragrunt v1.1.1 internal/component/unit.go OutputJSONFile, file name
// tf.TerraformPlanJSONFile in internal/tf/tf.go; the plan's input variables are its top-level
// `variables: {<name>: {value}}`, Terraform 1.11 "JSON Output Format", Plan Representation). A unit used mocks when one of its plan's input variables holds, anywhere in
// its value, a string equal to a mock_outputs value of a dependency block of the live tree. Prints those units,
// relative to --dir, one per line (nothing when none), and explains each on stderr. Exit 0 either way; 2 on misuse.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { parse } from '@cdktf/hcl2json';

const PLAN_FILE = 'tfplan.json';

function walk(dir: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (['.terragrunt-cache', '.terraform', 'node_modules'].includes(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...walk(path, keep));
    else if (keep(entry)) found.push(path);
  }
  return found.sort();
}

function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) strings(item, into);
  return into;
}

/**
 * Every string leaf of every `dependency` block's `mock_outputs` in the *.hcl files under liveDir.
 * @param liveDir the Terragrunt live tree, e.g. terragrunt/live
 * @returns the mock values (a test keeps each one unmistakable for a real value)
 * @throws Error naming the file when an .hcl file does not parse
 */
export async function mockValues(liveDir: string): Promise<Set<string>> {
  const values = new Set<string>();
  for (const file of walk(liveDir, (name) => name.endsWith('.hcl'))) {
    let parsed: Record<string, unknown>;
    try {
      parsed = (await parse(file, readFileSync(file, 'utf8'))) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${file} does not parse: ${(error as Error).message}`, { cause: error });
    }
    for (const blocks of Object.values((parsed.dependency ?? {}) as Record<string, { mock_outputs?: unknown }[]>)) {
      for (const block of blocks) for (const value of strings(block.mock_outputs ?? {})) values.add(value);
    }
  }
  return values;
}

export interface MockPlan {
  /** Unit path relative to the plans directory, e.g. `rds`. */
  unit: string;
  /** Input variables whose value holds a mock value, with the first such value. */
  variables: { name: string; mock: string }[];
}

/**
 * The units under dir whose saved plan received a mock output as an input.
 * @param dir the --json-out-dir of `terragrunt run --all plan`
 * @param mocks the mock values of the live tree (mockValues)
 */
export function plansOnMocks(dir: string, mocks: Set<string>): MockPlan[] {
  if (!existsSync(dir)) return [];
  const found: MockPlan[] = [];
  for (const path of walk(dir, (name) => name === PLAN_FILE)) {
    const plan = JSON.parse(readFileSync(path, 'utf8')) as { variables?: Record<string, { value?: unknown }> };
    const variables: MockPlan['variables'] = [];
    for (const [name, variable] of Object.entries(plan.variables ?? {})) {
      const mock = strings(variable.value).find((value) => mocks.has(value));
      if (mock !== undefined) variables.push({ name, mock });
    }
    if (variables.length > 0) found.push({ unit: relative(dir, path).split(sep).slice(0, -1).join('/') || '.', variables });
  }
  return found;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, 'live-dir': { type: 'string' } } });
  if (!values.dir || !values['live-dir']) {
    process.stderr.write('usage: mock-plans.ts --dir PLAN_JSON_DIR --live-dir terragrunt/live\n');
    process.exit(2);
  }
  const found = plansOnMocks(values.dir, await mockValues(values['live-dir']));
  for (const plan of found) {
    const what = plan.variables.map((variable) => `${variable.name} (${variable.mock})`).join(', ');
    process.stderr.write(`${plan.unit}: planned on mock outputs of a dependency that is not applied yet: ${what}\n`);
    process.stdout.write(`${plan.unit}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`mock-plans: ${(error as Error).message}\n`);
    process.exit(2);
  });
}
