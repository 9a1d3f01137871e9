// Collects what each place says about the app's environment variables, for test/lib/drift.ts.
import { basename, dirname, join, relative } from 'node:path';
import { configVariables } from '../../app/src/config/index.ts';
import { findFiles, liveDir, repoRoot } from './hcl.ts';
import { renderUnit } from './terragrunt.ts';
import { readDotenvFile } from './dotenv.ts';
import { readContractTable } from './contract-table.ts';
import { envFiles, environment, readCompose } from './compose-file.ts';
import type { AppRunnerUnit, ConfigFact, Places } from './drift.ts';

export function configFacts(): ConfigFact[] {
  return configVariables.map(({ name, required, secret, default: defaultValue }) => ({ name, required, secret, default: defaultValue }));
}

/** The app service's variables: every name of its env files (read from .env.example, which .env is copied from) plus `environment`. */
export function composePlace(envExampleNames: Iterable<string>): { names: Set<string>; literals: Map<string, string>; problems: string[] } {
  const app = readCompose().services?.app ?? {};
  const files = envFiles(app);
  const problems = files.every((file) => file === '.env') && files.length === 1 ? [] : [`the app service's env_file must be exactly .env (found ${files.join(', ') || 'none'})`];
  const literals = new Map<string, string>();
  for (const [name, value] of environment(app)) if (value !== undefined) literals.set(name, value);
  return { names: new Set([...(files.includes('.env') ? envExampleNames : []), ...environment(app).keys()]), literals, problems };
}

/**
 * Every app unit of the live tree, its inputs as `terragrunt render` gives them (dependency outputs from their
 * mocks): App Runner (`.../<env>/app/terragrunt.hcl`) and, with `unitName` `app-ecs`, ECS Fargate (whose module
 * turns the same two inputs into the task definition's `environment` and `secrets`/`valueFrom`).
 */
export async function appRunnerUnits(unitName: 'app' | 'app-ecs' = 'app'): Promise<AppRunnerUnit[]> {
  const dirs = findFiles(liveDir, (name) => name === 'terragrunt.hcl').map(dirname).filter((dir) => basename(dir) === unitName).sort();
  return Promise.all(dirs.map(async (dir) => {
    const values = (await renderUnit(dir)).inputs;
    const missing = ['runtime_environment_variables', 'runtime_environment_secrets'].filter((key) => !(key in values)).map((key) => `${key}: not set`);
    return {
      unit: relative(repoRoot, dir),
      plain: (values.runtime_environment_variables ?? {}) as Record<string, unknown>,
      secrets: (values.runtime_environment_secrets ?? {}) as Record<string, unknown>,
      ...(missing.length > 0 ? { unevaluable: missing.join('; ') } : {}),
    };
  }));
}

/** Every place, read from the repository. */
export async function readPlaces(): Promise<{ places: Places; problems: string[] }> {
  const envExample = readDotenvFile(join(repoRoot, '.env.example'));
  const values = new Map([...envExample.entries].map(([name, entry]) => [name, entry.value]));
  const contract = readContractTable();
  const compose = composePlace(values.keys());
  const problems = [
    ...envExample.duplicates.map((name) => `${name}: set twice in .env.example`),
    ...contract.problems.map((problem) => `architecture/PLATFORM_CONTRACT.md: ${problem}`),
    ...compose.problems.map((problem) => `docker-compose.yml: ${problem}`),
  ];
  const places: Places = {
    envExample: values,
    contract: contract.rows,
    compose: { names: compose.names, literals: compose.literals },
    appRunner: [...(await appRunnerUnits('app')), ...(await appRunnerUnits('app-ecs'))],
  };
  return { places, problems };
}
