// The drift check behind test/drift.test.ts, as a pure function so that a test can feed it a changed variable
// list and watch it fail. The app's config (app/src/config) is the source of truth; every other place must
// name exactly the same variables, with the same required / secret / default facts.
import type { ContractRow } from './contract-table.ts';

export interface ConfigFact {
  name: string;
  required: boolean;
  secret: boolean;
  default: string | undefined;
}

export interface AppRunnerUnit {
  /** Repo-relative unit directory, e.g. terragrunt/live/prod/eu-west-1/prod/app. */
  unit: string;
  plain: Record<string, unknown>;
  secrets: Record<string, unknown>;
  /** Why the inputs could not be read statically, if they could not. */
  unevaluable?: string;
}

export interface Places {
  /** Name -> value in .env.example. */
  envExample: Map<string, string>;
  contract: ContractRow[];
  /** Names the compose app container receives (its env_file plus `environment`), and literal values in `environment`. */
  compose: { names: Set<string>; literals: Map<string, string> };
  /**
   * The app units of both compute targets: App Runner (`<env>/app`, its image_configuration) and ECS Fargate
   * (`<env>/app-ecs`, its task definition's environment and secrets). The contract's App Runner column states the
   * variables and secrets of both (PLATFORM_CONTRACT.md: the same set on either target).
   */
  appRunner: AppRunnerUnit[];
}

export const CONFIG_PLACE = 'app/src/config';
export const ENV_EXAMPLE = '.env.example';
export const CONTRACT = 'architecture/PLATFORM_CONTRACT.md';
export const COMPOSE = 'docker-compose.yml (app service)';

/** `arn:...:secret:auth/prod/database-AbCdEf:url::` -> { name: 'database', jsonKey: 'url' } */
export function parseSecretReference(reference: string): { name: string; jsonKey: string | undefined } | undefined {
  const match = /:secret:([^:]+?)(?:-[A-Za-z0-9]{6})?(?::([^:]*):[^:]*:[^:]*)?$/.exec(reference);
  if (!match) return undefined;
  return { name: match[1]!.split('/').at(-1)!, jsonKey: match[2] || undefined };
}

const show = (value: string | undefined) => (value === undefined ? 'no default' : `default ${JSON.stringify(value)}`);

/** Every disagreement, one message each, naming the variable and the places. Empty when all agree. */
export function findDrift(config: readonly ConfigFact[], places: Places): string[] {
  const problems: string[] = [];
  const byName = new Map(config.map((fact) => [fact.name, fact]));
  const contract = new Map(places.contract.map((row) => [row.name, row]));
  const notSetInCloud = (name: string) => contract.get(name)?.appRunner.kind === 'not set' && byName.get(name)?.required !== true;

  // 1. Names: present everywhere, or named with the places that lack it.
  const presence: Array<[string, (name: string) => boolean]> = [
    [ENV_EXAMPLE, (name) => places.envExample.has(name)],
    [CONTRACT, (name) => contract.has(name)],
    [COMPOSE, (name) => places.compose.names.has(name)],
    // A unit whose inputs cannot be read is reported once below, not once per variable.
    ...places.appRunner.filter((unit) => !unit.unevaluable).map((unit): [string, (name: string) => boolean] => [
      `${unit.unit} (runtime_environment_variables + runtime_environment_secrets)`,
      (name) => name in unit.plain || name in unit.secrets || notSetInCloud(name),
    ]),
  ];
  const allNames = new Set<string>([...byName.keys(), ...places.envExample.keys(), ...contract.keys(), ...places.compose.names]);
  for (const unit of places.appRunner) for (const name of [...Object.keys(unit.plain), ...Object.keys(unit.secrets)]) allNames.add(name);
  for (const name of [...allNames].sort()) {
    if (!byName.has(name)) {
      const where = presence.filter(([, has]) => has(name)).map(([place]) => place);
      problems.push(`${name}: set in ${where.join(', ')} but the app does not read it (not in ${CONFIG_PLACE})`);
      continue;
    }
    const missing = presence.filter(([, has]) => !has(name)).map(([place]) => place);
    if (missing.length > 0) problems.push(`${name}: missing from ${missing.join(', ')}`);
  }

  for (const unit of places.appRunner) {
    if (unit.unevaluable) problems.push(`${unit.unit}: runtime environment cannot be read statically: ${unit.unevaluable}`);
  }

  for (const fact of config) {
    const row = contract.get(fact.name);
    // 2. The contract states the same facts as the config.
    if (row) {
      if (row.required !== fact.required) problems.push(`${fact.name}: ${CONTRACT} line ${row.line} says required=${row.required ? 'yes' : 'no'}, ${CONFIG_PLACE} says ${fact.required ? 'yes' : 'no'}`);
      if (row.secret !== fact.secret) problems.push(`${fact.name}: ${CONTRACT} line ${row.line} says secret=${row.secret ? 'yes' : 'no'}, ${CONFIG_PLACE} says ${fact.secret ? 'yes' : 'no'}`);
      if (row.default !== fact.default) problems.push(`${fact.name}: ${CONTRACT} line ${row.line} has ${show(row.default)}, ${CONFIG_PLACE} has ${show(fact.default)}`);
      if (fact.secret && row.appRunner.kind === 'plain') problems.push(`${fact.name}: a secret, but ${CONTRACT} line ${row.line} makes it a plain App Runner variable`);
      if (row.appRunner.kind === 'not set' && fact.required) problems.push(`${fact.name}: required, but ${CONTRACT} line ${row.line} leaves it unset in App Runner`);
      const example = places.envExample.get(fact.name);
      if (row.localValue !== undefined && example !== undefined && row.localValue !== example) {
        problems.push(`${fact.name}: ${CONTRACT} line ${row.line} shows local value ${JSON.stringify(row.localValue)}, ${ENV_EXAMPLE} has ${JSON.stringify(example)}`);
      }
    }

    // 3. .env.example: required ones have a value; secrets have no value, or a throwaway local- one.
    const example = places.envExample.get(fact.name);
    if (example !== undefined) {
      if (fact.required && example === '') problems.push(`${fact.name}: required, but empty in ${ENV_EXAMPLE}`);
      if (fact.secret && example !== '' && !example.includes('local-')) {
        problems.push(`${fact.name}: a secret with a real-looking value in ${ENV_EXAMPLE}; leave it empty or use a throwaway local- value`);
      }
    }

    // 4. Compose never writes a secret literally (only through ${VAR} from .env).
    const literal = places.compose.literals.get(fact.name);
    if (fact.secret && literal !== undefined && !/^\$\{/.test(literal)) problems.push(`${fact.name}: a secret written literally in ${COMPOSE}`);

    // 5. App Runner: secrets only as runtime_environment_secrets, and each from the secret and JSON key the contract names.
    for (const unit of places.appRunner) {
      const inPlain = fact.name in unit.plain;
      const reference = unit.secrets[fact.name];
      if (fact.secret && inPlain) problems.push(`${fact.name}: a secret passed as a plain runtime_environment_variables entry in ${unit.unit}`);
      if (inPlain && reference !== undefined) problems.push(`${fact.name}: in both runtime_environment_variables and runtime_environment_secrets in ${unit.unit}`);
      if (!row) continue;
      if (row.appRunner.kind === 'plain' && reference !== undefined) problems.push(`${fact.name}: ${CONTRACT} says plain, ${unit.unit} injects it from Secrets Manager`);
      if (row.appRunner.kind === 'plain' && row.appRunner.value !== undefined && inPlain) {
        const expected = row.appRunner.value === 'app default' ? fact.default : row.appRunner.value;
        const actual = String(unit.plain[fact.name]);
        if (actual !== expected) {
          const what = row.appRunner.value === 'app default' ? `the app default ${JSON.stringify(expected)}` : JSON.stringify(expected);
          problems.push(`${fact.name}: ${CONTRACT} line ${row.line} says App Runner uses ${what}, ${unit.unit} sets ${JSON.stringify(actual)}`);
        }
      }
      if (row.appRunner.kind === 'not set' && (inPlain || reference !== undefined)) problems.push(`${fact.name}: ${CONTRACT} says not set in App Runner, but ${unit.unit} sets it`);
      if (row.appRunner.kind === 'secret') {
        if (inPlain) problems.push(`${fact.name}: ${CONTRACT} says secret \`${row.appRunner.secret}\`, ${unit.unit} passes it as a plain variable`);
        if (reference === undefined) continue;
        const parsed = parseSecretReference(String(reference));
        const expectedName = row.appRunner.secret.split('/').at(-1);
        if (!parsed || parsed.name !== expectedName || parsed.jsonKey !== row.appRunner.jsonKey) {
          const wanted = `${row.appRunner.secret}${row.appRunner.jsonKey ? ` key ${row.appRunner.jsonKey}` : ' (whole value)'}`;
          problems.push(`${fact.name}: ${CONTRACT} says secret ${wanted}, ${unit.unit} references ${String(reference)}`);
        }
      }
    }
  }
  return problems;
}
