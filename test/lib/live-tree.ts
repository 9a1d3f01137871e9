// Reads the Terragrunt live tree the way Terragrunt would for the parts our checks need: a unit's includes,
// merged terraform source, dependency blocks and inputs (shallow include merge: the unit overrides its includes).
// Expressions are evaluated with test/lib/terragrunt-eval.ts; see that file for what is supported.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { findFiles, parseHclFile, repoRoot, type HclJson } from './hcl.ts';
import { evaluateValue, Unevaluable, type Scope } from './terragrunt-eval.ts';

/** Pre-parsed HCL files, so that evaluation (which reads other files) can stay synchronous. */
export class HclCache {
  private readonly files = new Map<string, HclJson>();

  /** Parses `root.hcl` and every `.hcl` under `live/` of a terragrunt folder (modules are not Terragrunt files). */
  async load(terragrunt: string): Promise<this> {
    const files = [join(terragrunt, 'root.hcl'), ...findFiles(join(terragrunt, 'live'), (name) => name.endsWith('.hcl'))];
    for (const path of files.filter((file) => existsSync(file))) await this.loadFile(path);
    return this;
  }

  async loadFile(path: string): Promise<HclJson> {
    const json = await parseHclFile(path);
    this.files.set(resolve(path), json);
    return json;
  }

  get(path: string): HclJson {
    const json = this.files.get(resolve(path));
    if (!json) throw new Unevaluable(`${relative(repoRoot, path)} is not in the parsed tree (missing file?)`);
    return json;
  }
}

export interface Definition<T> {
  value: T;
  /** The file that defines it (the unit file or one of its includes). */
  file: string;
}

export interface Unit {
  dir: string;
  file: string;
  json: HclJson;
  includes: Record<string, { path: string; json: HclJson; expose: boolean }>;
  source?: Definition<string>;
  dependencies: Record<string, Definition<HclJson>>;
  inputs: Record<string, Definition<unknown>>;
  /** `dependencies { paths }` entries (ordering only), merged across includes as Terragrunt concatenates them. */
  orderingPaths: Array<Definition<unknown>>;
  generates: Record<string, Definition<HclJson>>;
}

export interface EvalOptions {
  env?: Record<string, string | undefined>;
  /** Values of `dependency.<name>.outputs`, by dependency name; defaults to each block's mock_outputs. */
  outputs?: Record<string, Record<string, unknown>>;
}

/** Lists every unit file (terragrunt.hcl) under a live tree. */
export function listUnitFiles(live: string): string[] {
  return findFiles(live, (name) => name === 'terragrunt.hcl');
}

function firstBlock(json: HclJson, type: string): HclJson | undefined {
  const blocks = json[type];
  return Array.isArray(blocks) ? blocks[0] : undefined;
}

/** A scope for one file of a unit: its own locals (lazy), the unit's exposed includes and its dependencies. */
export function fileScope(cache: HclCache, unitDir: string, file: string, options: EvalOptions = {}, extra: Partial<Scope> = {}): Scope {
  const json = cache.get(file);
  const scope: Scope = {
    unitDir,
    fileDir: dirname(file),
    roots: {},
    env: options.env ?? {},
    readConfig: (path) => readConfig(cache, path, options),
    ...extra,
  };
  scope.roots.local = lazyObject(firstBlock(json, 'locals') ?? {}, (raw) => evaluateValue(raw, scope));
  return scope;
}

/** read_terragrunt_config: the file evaluated in its own directory, exposing locals and inputs. */
function readConfig(cache: HclCache, path: string, options: EvalOptions): unknown {
  const scope = fileScope(cache, dirname(path), path, options);
  const json = cache.get(path);
  return {
    locals: scope.roots.local,
    inputs: lazyObject((json.inputs as HclJson) ?? {}, (raw) => evaluateValue(raw, scope)),
  };
}

function lazyObject(raw: HclJson, evaluate: (value: unknown) => unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    let cached: { value: unknown } | undefined;
    Object.defineProperty(object, key, {
      enumerable: true,
      get: () => (cached ??= { value: evaluate(value) }).value,
    });
  }
  return object;
}

/** Loads one unit: resolves its include paths and merges source, dependencies, inputs and generate blocks. */
export function loadUnit(cache: HclCache, file: string): Unit {
  const dir = dirname(file);
  const json = cache.get(file);
  const scope = fileScope(cache, dir, file);
  const unit: Unit = { dir, file, json, includes: {}, dependencies: {}, inputs: {}, orderingPaths: [], generates: {} };
  for (const [name, [block]] of Object.entries<HclJson[]>(json.include ?? {})) {
    const path = resolve(dir, String(evaluateValue(block?.path, scope)));
    unit.includes[name] = { path, json: existsSync(path) ? cache.get(path) : {}, expose: block?.expose === true };
  }
  // Includes first, then the unit itself, so that the unit overrides (Terragrunt's shallow merge).
  const layers = [...Object.values(unit.includes).map((include) => ({ path: include.path, json: include.json })), { path: file, json }];
  for (const layer of layers) {
    const source = firstBlock(layer.json, 'terraform')?.source;
    if (source !== undefined) unit.source = { value: source, file: layer.path };
    for (const [name, [block]] of Object.entries<HclJson[]>(layer.json.dependency ?? {})) {
      unit.dependencies[name] = { value: block ?? {}, file: layer.path };
    }
    for (const [name, [block]] of Object.entries<HclJson[]>(layer.json.generate ?? {})) {
      unit.generates[name] = { value: block ?? {}, file: layer.path };
    }
    for (const block of (layer.json.dependencies ?? []) as HclJson[]) {
      for (const path of (block.paths ?? []) as unknown[]) unit.orderingPaths.push({ value: path, file: layer.path });
    }
    for (const [key, value] of Object.entries((layer.json.inputs as HclJson) ?? {})) {
      unit.inputs[key] = { value, file: layer.path };
    }
  }
  return unit;
}

/** Scope for evaluating an expression defined in `file` as part of `unit`. */
export function unitScope(cache: HclCache, unit: Unit, file: string, options: EvalOptions = {}): Scope {
  const root = Object.values(unit.includes).find((include) => include.path.endsWith('root.hcl'));
  const scope = fileScope(cache, unit.dir, file, options, { includeDir: root ? dirname(root.path) : undefined });
  const dependency: Record<string, unknown> = {};
  for (const [name, { value: block, file: blockFile }] of Object.entries(unit.dependencies)) {
    const mocks = options.outputs?.[name] ?? evaluateValue(block.mock_outputs ?? {}, fileScope(cache, unit.dir, blockFile, options));
    dependency[name] = { outputs: mocks };
  }
  scope.roots.dependency = dependency;
  // `include.<name>` is only visible in the unit file, and only for includes with expose = true.
  if (file === unit.file) {
    const include: Record<string, unknown> = {};
    for (const [name, { path, expose }] of Object.entries(unit.includes)) {
      if (expose) include[name] = { locals: fileScope(cache, unit.dir, path, options).roots.local };
    }
    scope.roots.include = include;
  }
  return scope;
}

/** Evaluates a unit's merged inputs; keys that cannot be evaluated are returned with the reason. */
export function evaluateInputs(cache: HclCache, unit: Unit, options: EvalOptions = {}) {
  const values: Record<string, unknown> = {};
  const unevaluable: Record<string, string> = {};
  for (const [key, { value, file }] of Object.entries(unit.inputs)) {
    try {
      values[key] = evaluateValue(value, unitScope(cache, unit, file, options));
    } catch (error) {
      if (!(error instanceof Unevaluable)) throw error;
      unevaluable[key] = error.message;
    }
  }
  return { values, unevaluable };
}

/** The module directory a unit's terraform.source points to (local relative sources only). */
export function resolveSource(cache: HclCache, unit: Unit): string | undefined {
  if (!unit.source) return undefined;
  const source = String(evaluateValue(unit.source.value, unitScope(cache, unit, unit.source.file)));
  if (/^[a-z0-9+]+::|^[a-z]+:\/\//i.test(source)) return undefined;
  // Terragrunt resolves a relative source from the unit's directory; `//` separates the copied root from the module.
  return resolve(unit.dir, source.replace('//', '/'));
}

/** Every `dependency.<name>.outputs.<output>` reference in a raw (unevaluated) value. */
export function dependencyReferences(raw: unknown): Array<{ dependency: string; output: string }> {
  const text = JSON.stringify(raw ?? null);
  return [...text.matchAll(/dependency\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((match) => ({
    dependency: match[1]!,
    output: match[2]!,
  }));
}

/** Paths of the units in `dependencies { paths }`, resolved from the unit's directory. */
export function orderingPaths(cache: HclCache, unit: Unit): string[] {
  return unit.orderingPaths.map(({ value, file }) => resolve(unit.dir, String(evaluateValue(value, fileScope(cache, unit.dir, file)))));
}

/** Path of the unit a dependency block points to, resolved from the unit's directory. */
export function dependencyPath(cache: HclCache, unit: Unit, name: string): string {
  const { value: block, file } = unit.dependencies[name]!;
  return resolve(unit.dir, String(evaluateValue(block.config_path, fileScope(cache, unit.dir, file))));
}

export const terragruntDir = join(repoRoot, 'terragrunt');
