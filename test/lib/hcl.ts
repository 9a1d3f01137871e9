// Shared HCL helpers for repository checks, on the real HashiCorp HCL parser (@cdktf/hcl2json, WASM).
import { parse } from '@cdktf/hcl2json';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const modulesDir = join(repoRoot, 'terragrunt', 'modules');
export const liveDir = join(repoRoot, 'terragrunt', 'live');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HclJson = Record<string, any>;

/** Parses one HCL file; throws with the file's repo-relative path when it does not parse. */
export async function parseHclFile(path: string): Promise<HclJson> {
  const text = readFileSync(path, 'utf8');
  try {
    return (await parse(relative(repoRoot, path), text)) as HclJson;
  } catch (error) {
    throw new Error(`${relative(repoRoot, path)} does not parse: ${(error as Error).message}`);
  }
}

/** Parses every `*.tf` file of a module directory and merges the top-level blocks. */
export async function parseModule(dir: string): Promise<HclJson> {
  const merged: HclJson = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.tf')).sort()) {
    const parsed = await parseHclFile(join(dir, file));
    for (const [blockType, blocks] of Object.entries(parsed)) {
      // `locals` and `terraform` parse as lists of blocks: keep every file's blocks.
      if (Array.isArray(blocks)) {
        merged[blockType] = [...(merged[blockType] ?? []), ...blocks];
        continue;
      }
      merged[blockType] ??= {};
      for (const [key, value] of Object.entries(blocks as HclJson)) {
        // `resource` and `data` nest type -> name, and one type can appear in several files.
        merged[blockType][key] = blockType === 'resource' || blockType === 'data' ? { ...merged[blockType][key], ...value } : value;
      }
    }
  }
  return merged;
}

export interface ModuleInterface {
  variables: Map<string, { required: boolean; sensitive: boolean }>;
  outputs: Set<string>;
}

/** Reads a module's variables (with whether each is required) and outputs. */
export async function moduleInterface(dir: string): Promise<ModuleInterface> {
  const module = await parseModule(dir);
  const variables = new Map<string, { required: boolean; sensitive: boolean }>();
  for (const [name, [block]] of Object.entries<HclJson[]>(module.variable ?? {})) {
    variables.set(name, { required: !('default' in (block ?? {})), sensitive: block?.sensitive === true });
  }
  return { variables, outputs: new Set(Object.keys(module.output ?? {})) };
}

export function listModules(): string[] {
  return readdirSync(modulesDir).filter((name) => statSync(join(modulesDir, name)).isDirectory()).sort();
}

/** Recursively lists files under dir whose name matches, skipping caches. */
export function findFiles(dir: string, match: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['.terraform', '.terragrunt-cache', 'node_modules'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(path, match));
    else if (match(entry.name)) found.push(path);
  }
  return found.sort();
}
