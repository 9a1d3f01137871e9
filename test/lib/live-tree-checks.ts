// The rules the Terragrunt live tree must keep, as one function over a tree (root.hcl + live/ + modules/), so that
// the real tree and small broken fixtures go through the same code. Each rule has a stable id used by the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { findFiles, moduleInterface, repoRoot, type ModuleInterface } from './hcl.ts';
import {
  dependencyPath, dependencyReferences, orderingPaths, evaluateInputs, HclCache, listUnitFiles, loadUnit, resolveSource, type Unit,
} from './live-tree.ts';
import { Unevaluable } from './terragrunt-eval.ts';

export const RULES = {
  parse: 'every .hcl file parses',
  fmt: 'every .hcl file is formatted as `terraform fmt` would format it',
  include: 'every include path is an existing file',
  source: 'terraform.source resolves to an existing module directory',
  'unknown-input': 'every inputs key is a variable of the module',
  'missing-input': 'every required module variable is in the merged inputs',
  'input-eval': 'every input evaluates from the env/account/region files, get_env defaults and mock outputs',
  'dependency-path': 'every dependency config_path is an existing unit',
  cycle: 'the dependency graph has no cycle',
  'mock-key': 'every mock_outputs key is an output of the dependency module',
  'mock-commands': 'mock_outputs_allowed_terraform_commands is set and never allows apply/destroy',
  'mock-coverage': 'every dependency output a unit reads has a mock (so run --all plan works on an empty account)',
  'output-ref': 'every dependency.<x>.outputs.<y> names a declared dependency x whose module has output y',
  symmetry: 'every environment has the same units (and every account the same _global units), unless documented',
} as const;

export type Rule = keyof typeof RULES;
export interface Violation { rule: Rule; file: string; message: string }

/** Commands for which mock outputs are acceptable: none of them can change infrastructure. */
const MOCK_SAFE_COMMANDS = new Set(['validate', 'plan', 'init', 'validate-inputs', 'terragrunt-info']);

export interface CheckOptions {
  /** Folder holding root.hcl, live/ and modules/. */
  terragruntDir: string;
  /** Units allowed to exist in only some environments: unit folder name -> why. */
  symmetryExceptions?: Record<string, string>;
  /** Run the formatting check (spawns `terraform fmt -` once per file). */
  fmt?: boolean;
}

/** Formats HCL with the real formatter: `terraform fmt -` reads stdin, so the .hcl extension is no obstacle. */
export function formatHcl(text: string): string {
  const result = spawnSync('terraform', ['fmt', '-no-color', '-'], { input: text, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (result.status !== 0) throw new Error(`terraform fmt failed: ${result.stderr}`);
  return result.stdout;
}

export async function checkLiveTree(options: CheckOptions): Promise<{ violations: Violation[]; units: Unit[]; checks: number }> {
  const { terragruntDir } = options;
  const live = join(terragruntDir, 'live');
  const violations: Violation[] = [];
  let checks = 0;
  const fail = (rule: Rule, file: string, message: string) => violations.push({ rule, file: relative(repoRoot, file), message });

  const hclFiles = [join(terragruntDir, 'root.hcl'), ...findFiles(live, (name) => name.endsWith('.hcl'))].filter(existsSync);
  const cache = new HclCache();
  for (const file of hclFiles) {
    checks++;
    try {
      await cache.loadFile(file);
    } catch (error) {
      fail('parse', file, (error as Error).message);
    }
    if (options.fmt !== false) {
      checks++;
      const text = readFileSync(file, 'utf8');
      if (formatHcl(text) !== text) fail('fmt', file, 'not formatted; run `terraform fmt - < file > tmp && mv tmp file` (or `terragrunt hcl fmt`)');
    }
  }
  if (violations.some((violation) => violation.rule === 'parse')) return { violations, units: [], checks };

  const modules = new Map<string, ModuleInterface>();
  const moduleOf = async (dir: string | undefined) => {
    if (!dir || !existsSync(dir) || !readdirSync(dir).some((name) => name.endsWith('.tf'))) return undefined;
    if (!modules.has(dir)) modules.set(dir, await moduleInterface(dir));
    return modules.get(dir);
  };

  const units = listUnitFiles(live).map((file) => loadUnit(cache, file));
  const unitByDir = new Map(units.map((unit) => [unit.dir, unit]));
  const moduleDirOf = new Map<Unit, string | undefined>();
  for (const unit of units) {
    let dir: string | undefined;
    try { dir = resolveSource(cache, unit); } catch { dir = undefined; }
    moduleDirOf.set(unit, dir);
  }

  for (const unit of units) {
    for (const [name, include] of Object.entries(unit.includes)) {
      checks++;
      if (!existsSync(include.path)) fail('include', unit.file, `include "${name}" points to ${relative(repoRoot, include.path)}, which does not exist`);
    }
    const moduleDir = moduleDirOf.get(unit);
    const module = await moduleOf(moduleDir);
    checks++;
    if (!module) {
      fail('source', unit.file, `terraform.source ${JSON.stringify(unit.source?.value)} does not resolve to a module (${moduleDir ? relative(repoRoot, moduleDir) : 'no local path'})`);
      continue;
    }
    const moduleName = relative(join(terragruntDir, 'modules'), moduleDir!);

    for (const key of Object.keys(unit.inputs)) {
      checks++;
      if (!module.variables.has(key)) fail('unknown-input', unit.inputs[key]!.file, `input "${key}" is not a variable of module ${moduleName}`);
    }
    for (const [name, variable] of module.variables) {
      checks++;
      if (variable.required && !(name in unit.inputs)) fail('missing-input', unit.file, `required variable "${name}" of module ${moduleName} is not in inputs`);
    }
    const { unevaluable } = evaluateInputs(cache, unit);
    for (const [key, reason] of Object.entries(unevaluable)) fail('input-eval', unit.inputs[key]!.file, `input "${key}" (${relative(repoRoot, unit.dir)}): ${reason}`);
    checks += Object.keys(unit.inputs).length;

    const referenced = new Map<string, Set<string>>();
    for (const { value } of Object.values(unit.inputs)) {
      for (const { dependency, output } of dependencyReferences(value)) {
        if (!referenced.has(dependency)) referenced.set(dependency, new Set());
        referenced.get(dependency)!.add(output);
      }
    }

    try {
      for (const path of orderingPaths(cache, unit)) {
        checks++;
        if (!unitByDir.has(path)) fail('dependency-path', unit.file, `dependencies.paths entry ${relative(repoRoot, path)} is not a unit`);
      }
    } catch (error) {
      if (!(error instanceof Unevaluable)) throw error;
      fail('dependency-path', unit.file, `dependencies.paths: ${error.message}`);
    }

    for (const [name, { value: block, file }] of Object.entries(unit.dependencies)) {
      checks++;
      let target: Unit | undefined;
      try {
        const path = dependencyPath(cache, unit, name);
        target = unitByDir.get(path);
        if (!target) fail('dependency-path', file, `dependency "${name}" of ${relative(repoRoot, unit.dir)} points to ${relative(repoRoot, path)}, which is not a unit`);
      } catch (error) {
        if (!(error instanceof Unevaluable)) throw error;
        fail('dependency-path', file, `dependency "${name}": ${error.message}`);
      }
      checks++;
      const commands = block.mock_outputs_allowed_terraform_commands;
      if (!Array.isArray(commands) || commands.length === 0) {
        fail('mock-commands', file, `dependency "${name}" has no mock_outputs_allowed_terraform_commands: mocks could reach an apply`);
      } else {
        for (const command of commands) {
          if (!MOCK_SAFE_COMMANDS.has(String(command))) fail('mock-commands', file, `dependency "${name}" allows mock outputs for "${command}"`);
        }
      }
      const targetModule = target ? await moduleOf(moduleDirOf.get(target)) : undefined;
      const mocks = (block.mock_outputs ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(mocks)) {
        checks++;
        if (targetModule && !targetModule.outputs.has(key)) fail('mock-key', file, `mock_outputs "${key}" of dependency "${name}" is not an output of its module`);
      }
      for (const output of referenced.get(name) ?? []) {
        checks++;
        if (!(output in mocks)) fail('mock-coverage', file, `dependency "${name}" has no mock for "${output}", which ${relative(repoRoot, unit.dir)} reads`);
      }
    }

    for (const [dependency, outputs] of referenced) {
      for (const output of outputs) {
        checks++;
        const declared = unit.dependencies[dependency];
        if (!declared) { fail('output-ref', unit.file, `dependency.${dependency}.outputs.${output}: no dependency "${dependency}"`); continue; }
        let targetModule: ModuleInterface | undefined;
        try { targetModule = await moduleOf(moduleDirOf.get(unitByDir.get(dependencyPath(cache, unit, dependency))!)); } catch { targetModule = undefined; }
        if (targetModule && !targetModule.outputs.has(output)) fail('output-ref', declared.file, `dependency.${dependency}.outputs.${output}: module has no output "${output}"`);
      }
    }
  }

  checks++;
  const cycle = findCycle(units, (unit) => {
    let paths: string[] = [];
    try { paths = orderingPaths(cache, unit); } catch { paths = []; }
    for (const name of Object.keys(unit.dependencies)) {
      try { paths.push(dependencyPath(cache, unit, name)); } catch { /* reported by dependency-path */ }
    }
    return paths.map((path) => unitByDir.get(path)).filter((target): target is Unit => !!target);
  });
  if (cycle) fail('cycle', cycle[0]!.file, `dependency cycle: ${cycle.map((unit) => relative(live, unit.dir)).join(' -> ')}`);

  checks += checkSymmetry(live, options.symmetryExceptions ?? {}, fail);
  return { violations, units, checks };
}

function findCycle(units: Unit[], edges: (unit: Unit) => Unit[]): Unit[] | undefined {
  const state = new Map<Unit, 'visiting' | 'done'>();
  const stack: Unit[] = [];
  const visit = (unit: Unit): Unit[] | undefined => {
    if (state.get(unit) === 'done') return undefined;
    if (state.get(unit) === 'visiting') return [...stack.slice(stack.indexOf(unit)), unit];
    state.set(unit, 'visiting');
    stack.push(unit);
    for (const next of edges(unit)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(unit, 'done');
    return undefined;
  };
  for (const unit of units) {
    const cycle = visit(unit);
    if (cycle) return cycle;
  }
  return undefined;
}

const unitNames = (dir: string) => readdirSync(dir).filter((name) => existsSync(join(dir, name, 'terragrunt.hcl'))).sort();

/** Environments (folders with env.hcl) must hold the same units; accounts' _global folders too. */
function checkSymmetry(live: string, exceptions: Record<string, string>, fail: (rule: Rule, file: string, message: string) => void): number {
  const envDirs = findFiles(live, (name) => name === 'env.hcl').map(dirname);
  const globalDirs = readdirSync(live).map((name) => join(live, name, '_global')).filter((dir) => existsSync(dir) && statSync(dir).isDirectory());
  let checks = 0;
  for (const group of [envDirs, globalDirs]) {
    const all = new Set(group.flatMap(unitNames));
    for (const dir of group) {
      const present = new Set(unitNames(dir));
      for (const name of all) {
        checks++;
        if (!present.has(name) && !(name in exceptions)) {
          fail('symmetry', dir, `${relative(live, dir)} lacks unit "${name}" that another ${basename(dir) === '_global' ? 'account' : 'environment'} has`);
        }
      }
    }
  }
  return checks;
}
