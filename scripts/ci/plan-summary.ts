// Turns the per-unit JSON plans that `terragrunt run --all --json-out-dir DIR plan` writes
// (DIR/<unit path>/tfplan.json, each the output of `terraform show -json`) into a Markdown
// table of what each unit would import, add, change and destroy. The plan workflow posts it to
// the job summary and the pull request; reviewers read this, the full plans are an artifact.
//
//   node --import=tsx scripts/ci/plan-summary.ts --dir plans/json --title "nonprod/dev" [--units-file units.txt]
//
// --units-file lists every unit that was expected (one path per line, relative to --dir), so a
// unit whose plan failed shows up as "no plan" instead of silently disappearing from the table.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export interface UnitCounts {
  unit: string;
  import: number;
  add: number;
  change: number;
  destroy: number;
  replace: number;
  forget: number;
  outputs: number;
  planned: boolean;
}

interface PlanJson {
  format_version?: string;
  resource_changes?: { address: string; change: { actions: string[]; importing?: unknown } }[];
  output_changes?: Record<string, { actions: string[] }>;
}

const PLAN_FILE = 'tfplan.json';

/** Counts one `terraform show -json` plan the way `terraform plan` prints "Plan: N to add, ...". */
export function countPlan(unit: string, plan: PlanJson): UnitCounts {
  const major = (plan.format_version ?? '').split('.')[0];
  if (major !== '1') {
    // A new major format may rename fields; refuse rather than report "no changes".
    throw new TypeError(`${unit}: unsupported plan format_version ${JSON.stringify(plan.format_version)}`);
  }
  const counts: UnitCounts = { unit, import: 0, add: 0, change: 0, destroy: 0, replace: 0, forget: 0, outputs: 0, planned: true };
  for (const { change } of plan.resource_changes ?? []) {
    const actions = change.actions.join(',');
    if (change.importing) counts.import += 1;
    switch (actions) {
      case 'create':
        counts.add += 1;
        break;
      case 'update':
        counts.change += 1;
        break;
      case 'delete':
        counts.destroy += 1;
        break;
      case 'delete,create':
      case 'create,delete':
        // Terraform counts a replacement as one add and one destroy; we also call it out.
        counts.add += 1;
        counts.destroy += 1;
        counts.replace += 1;
        break;
      case 'forget':
        counts.forget += 1;
        break;
      default:
        // no-op and read (data sources) change nothing.
        break;
    }
  }
  counts.outputs = Object.values(plan.output_changes ?? {}).filter(({ actions }) => actions.join(',') !== 'no-op').length;
  return counts;
}

function findPlans(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findPlans(path));
    else if (entry === PLAN_FILE) found.push(path);
  }
  return found;
}

function unitName(dir: string, planPath: string): string {
  return relative(dir, planPath).split(sep).slice(0, -1).join('/') || '.';
}

/** Reads every plan under dir; expected units with no plan file are reported as not planned. */
export function summarizeDir(dir: string, expectedUnits: string[] = []): UnitCounts[] {
  const byUnit = new Map<string, UnitCounts>();
  if (existsSync(dir)) {
    for (const path of findPlans(dir)) {
      const unit = unitName(dir, path);
      byUnit.set(unit, countPlan(unit, JSON.parse(readFileSync(path, 'utf8')) as PlanJson));
    }
  }
  for (const unit of expectedUnits) {
    if (!byUnit.has(unit)) {
      byUnit.set(unit, { unit, import: 0, add: 0, change: 0, destroy: 0, replace: 0, forget: 0, outputs: 0, planned: false });
    }
  }
  return [...byUnit.values()].sort((a, b) => a.unit.localeCompare(b.unit));
}

function cell(value: number, warn = false): string {
  if (value === 0) return '0';
  return warn ? `**${value}** :warning:` : String(value);
}

/** Renders the table. Destroys are bold so that a reviewer cannot miss them. */
export function renderMarkdown(title: string, units: UnitCounts[]): string {
  const lines = [`### Terragrunt plan: ${title}`, ''];
  if (units.length === 0) {
    lines.push('No units were planned.');
    return `${lines.join('\n')}\n`;
  }
  lines.push('| unit | import | add | change | destroy | of which replace | outputs |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const u of units) {
    if (!u.planned) {
      lines.push(`| \`${u.unit}\` | – | – | – | – | – | :x: no plan (see the log) |`);
      continue;
    }
    lines.push(`| \`${u.unit}\` | ${u.import} | ${u.add} | ${u.change} | ${cell(u.destroy, true)} | ${u.replace} | ${u.outputs} |`);
  }
  const planned = units.filter((u) => u.planned);
  const total = (key: 'import' | 'add' | 'change' | 'destroy' | 'replace') => planned.reduce((sum, u) => sum + u[key], 0);
  lines.push('');
  lines.push(`**Total:** ${total('import')} to import, ${total('add')} to add, ${total('change')} to change, ${total('destroy')} to destroy (${total('replace')} replacements).`);
  const failed = units.length - planned.length;
  if (failed > 0) lines.push('', `:x: ${failed} unit(s) produced no plan.`);
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, title: { type: 'string' }, 'units-file': { type: 'string' } },
  });
  if (!values.dir || !values.title) {
    process.stderr.write('usage: plan-summary.ts --dir DIR --title TITLE [--units-file FILE]\n');
    process.exit(2);
  }
  const expected = values['units-file']
    ? readFileSync(values['units-file'], 'utf8').split('\n').map((line) => line.trim()).filter(Boolean)
    : [];
  const units = summarizeDir(values.dir, expected);
  process.stdout.write(renderMarkdown(values.title, units));
  // A unit without a plan means the plan failed: the summary is still printed, the step fails.
  if (units.some((u) => !u.planned)) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
