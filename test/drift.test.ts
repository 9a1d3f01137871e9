// The app's configuration must read the same everywhere: the variable list comes from app/src/config and
// must match .env.example, the platform contract's table, the compose app service and the App Runner unit of
// every environment, with the same required / secret / default facts. The second half feeds the same check
// changed inputs to show that each kind of drift fails, naming the variable and the places.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findFiles, liveDir, parseHclFile, parseModule, modulesDir, repoRoot } from './lib/hcl.ts';
import { contractPath } from './lib/contract-table.ts';
import { configFacts, readPlaces } from './lib/drift-places.ts';
import { COMPOSE, CONTRACT, ENV_EXAMPLE, findDrift, parseSecretReference, type ConfigFact, type Places } from './lib/drift.ts';
import { parseAppRunnerCell, parseContractTable } from './lib/contract-table.ts';

const loaded = readPlaces();
const facts = configFacts();

test('app config, .env.example, contract, compose and every App Runner and ECS unit agree', async (t) => {
  const { places, problems } = await loaded;
  const drift = [...problems, ...findDrift(facts, places)];
  t.deepEqual(drift, [], `\n${drift.join('\n')}`);
});

test('the check reads real places: the config has variables and every environment has an App Runner and an ECS unit', async (t) => {
  const { places } = await loaded;
  t.true(facts.length >= 40, `only ${facts.length} variables from app/src/config`);
  t.deepEqual(
    places.appRunner.map((unit) => unit.unit).sort(),
    ['dev', 'staging'].flatMap((env) => ['app', 'app-ecs'].map((unit) => `terragrunt/live/nonprod/eu-west-1/${env}/${unit}`))
      .concat(['terragrunt/live/prod/eu-west-1/prod/app', 'terragrunt/live/prod/eu-west-1/prod/app-ecs']).sort(),
  );
  t.is(places.contract.length, facts.length);
});

test('the secrets mock outputs the app unit is evaluated with match the app-secrets module output', async (t) => {
  // The drift check sees runtime_environment_secrets through the secrets dependency's mock_outputs; this keeps
  // those mocks honest against the module's real output (same names, same secret, same JSON key).
  const module = await parseModule(join(modulesDir, 'app-secrets'));
  const real = module.output.runtime_environment_secrets[0].value as Record<string, string>;
  const { places } = await loaded;
  for (const unit of places.appRunner) {
    t.deepEqual(Object.keys(unit.secrets).sort(), Object.keys(real).sort(), unit.unit);
    for (const [name, expression] of Object.entries(real)) {
      const secret = /this\["([^"]+)"\]/.exec(expression)?.[1];
      const jsonKey = /:([a-z_]+)::$/.exec(expression)?.[1];
      t.deepEqual(parseSecretReference(String(unit.secrets[name])), { name: secret, jsonKey }, `${unit.unit} ${name}`);
    }
  }
});

test('the native path (scripts/lib/services/*.mjs, scripts/dev.mjs) sets only variables the app reads', (t) => {
  // npm run dev without Docker overrides these from the native services; a renamed variable must not slip past.
  const known = new Set(facts.map((fact) => fact.name));
  const services = ['postgres.mjs', 'clickhouse.mjs'].map((file) => readFileSync(join(repoRoot, 'scripts', 'lib', 'services', file), 'utf8')).join('\n');
  // Upper-case object keys are the env names it prints (the env objects hold template literals, so no brace matching).
  const servicesNames = [...services.matchAll(/^\s+([A-Z][A-Z0-9_]+):\s/gm)].map((match) => match[1]!);
  const dev = readFileSync(join(repoRoot, 'scripts', 'dev.mjs'), 'utf8');
  const devNames = [.../CONNECTION_VARIABLES = \[([^\]]*)\]/.exec(dev)?.[1]?.matchAll(/'([A-Z0-9_]+)'/g) ?? []].map((match) => match[1]!);
  t.true(servicesNames.length >= 7 && devNames.length >= 6, 'the native scripts changed shape; update this test');
  t.deepEqual([...servicesNames, ...devNames].filter((name) => !name.startsWith('TEST_') && !known.has(name)), []);
});

test('the contract\'s sizing table is what each env.hcl gives App Runner', async (t) => {
  const contract = readFileSync(contractPath, 'utf8');
  const rows = new Map(
    [...contract.matchAll(/^\| (\w+) \| (\d+(?:\.\d+)?) \| (\d+(?:\.\d+)?) \| (\d+) to (\d+) \| (\d+) \|$/gm)].map((match) => [match[1]!, match.slice(2, 7).map(Number)]),
  );
  const envFiles = findFiles(liveDir, (name) => name === 'env.hcl');
  t.true(envFiles.length >= 3);
  for (const file of envFiles) {
    const locals = (await parseHclFile(file)).locals[0];
    const expected = [Number(locals.app_cpu) / 1024, Number(locals.app_memory) / 1024, locals.app_min_instances, locals.app_max_instances, locals.app_max_concurrency];
    t.deepEqual(rows.get(locals.env), expected, `${locals.env}: contract sizing row`);
  }
  t.is(rows.size, envFiles.length, 'one sizing row per environment');
});

test('every relative link of the contract resolves (runbooks, other documents)', (t) => {
  const contract = readFileSync(contractPath, 'utf8');
  const links = [...contract.matchAll(/\]\((?!https?:)([^)#]+)/g)].map((match) => match[1]!);
  t.true(links.length >= 3);
  for (const link of links) t.true(existsSync(resolve(dirname(contractPath), link)), `broken link ${link}`);
});

// ---- drift is caught ----
// These run on a synthetic set of places that agrees with the real config (checked first), so they show each
// failure independently of the live tree's current state.

const UNITS = ['terragrunt/live/nonprod/eu-west-1/dev/app', 'terragrunt/live/prod/eu-west-1/prod/app'];

function agreeingPlaces(config: readonly ConfigFact[]): Places {
  const secretName = (name: string) => name.toLowerCase().replaceAll('_', '-');
  return {
    envExample: new Map(config.map((fact) => [fact.name, fact.secret ? `local-${fact.name}` : fact.default ?? 'x'])),
    contract: config.map((fact, index) => ({
      name: fact.name,
      required: fact.required,
      secret: fact.secret,
      default: fact.default,
      localValue: fact.secret ? undefined : fact.default ?? 'x',
      appRunner: fact.secret ? { kind: 'secret' as const, secret: `auth/<env>/${secretName(fact.name)}`, jsonKey: 'value' } : { kind: 'plain' as const, value: fact.default === undefined ? undefined : ('app default' as const) },
      line: 100 + index,
    })),
    compose: { names: new Set(config.map((fact) => fact.name)), literals: new Map([['PORT', '8080']]) },
    appRunner: UNITS.map((unit) => ({
      unit,
      plain: Object.fromEntries(config.filter((fact) => !fact.secret).map((fact) => [fact.name, fact.default ?? 'x'])),
      secrets: Object.fromEntries(
        config.filter((fact) => fact.secret).map((fact) => [fact.name, `arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/env/${secretName(fact.name)}-AbCdEf:value::`]),
      ),
    })),
  };
}

const change = (name: string, patch: Partial<ConfigFact>) => facts.map((fact) => (fact.name === name ? { ...fact, ...patch } : fact));
const baseline = () => agreeingPlaces(facts);
const unitPlace = (unit: string) => `${unit} (runtime_environment_variables + runtime_environment_secrets)`;

test('the synthetic places agree with the config, so each case below fails only for its change', (t) => {
  t.deepEqual(findDrift(facts, baseline()), []);
});

test('a variable added to the config only is reported with every place that lacks it', (t) => {
  const drift = findDrift([...facts, { name: 'SESSION_COOKIE_NAME', required: false, secret: false, default: 'sid' }], baseline());
  t.deepEqual(drift, [`SESSION_COOKIE_NAME: missing from ${[ENV_EXAMPLE, CONTRACT, COMPOSE, ...UNITS.map(unitPlace)].join(', ')}`]);
});

test('a variable the app stopped reading is reported with the places that still set it', (t) => {
  const drift = findDrift(facts.filter((fact) => fact.name !== 'HIBP_TIMEOUT_MS'), baseline());
  t.deepEqual(drift, [`HIBP_TIMEOUT_MS: set in ${[ENV_EXAMPLE, CONTRACT, COMPOSE, ...UNITS.map(unitPlace)].join(', ')} but the app does not read it (not in app/src/config)`]);
});

test('a variable missing from one place names only that place', (t) => {
  const places = baseline();
  delete places.appRunner[1]!.plain.LOCKOUT_WINDOW;
  places.envExample.delete('RATE_LIMIT_BURST');
  t.deepEqual(findDrift(facts, places), [`LOCKOUT_WINDOW: missing from ${unitPlace(UNITS[1]!)}`, `RATE_LIMIT_BURST: missing from ${ENV_EXAMPLE}`]);
});

test('required, secret and default flags must agree with the contract', (t) => {
  const line = (name: string) => baseline().contract.find((row) => row.name === name)!.line;
  t.deepEqual(findDrift(change('LOG_LEVEL', { required: true }), baseline()), [
    `LOG_LEVEL: architecture/PLATFORM_CONTRACT.md line ${line('LOG_LEVEL')} says required=no, app/src/config says yes`,
  ]);
  // A changed default also breaks every unit that the contract says runs on the app default.
  t.deepEqual(findDrift(change('ACCESS_TOKEN_TTL', { default: '5m' }), baseline()), [
    `ACCESS_TOKEN_TTL: architecture/PLATFORM_CONTRACT.md line ${line('ACCESS_TOKEN_TTL')} has default "15m", app/src/config has default "5m"`,
    ...UNITS.map((unit) => `ACCESS_TOKEN_TTL: architecture/PLATFORM_CONTRACT.md line ${line('ACCESS_TOKEN_TTL')} says App Runner uses the app default "5m", ${unit} sets "15m"`),
  ]);
  const drift = findDrift(change('HIBP_API_URL', { secret: true }), baseline());
  t.true(drift.includes(`HIBP_API_URL: architecture/PLATFORM_CONTRACT.md line ${line('HIBP_API_URL')} says secret=no, app/src/config says yes`));
  t.true(drift.includes(`HIBP_API_URL: a secret passed as a plain runtime_environment_variables entry in ${UNITS[0]}`));
  t.true(drift.some((message) => message.startsWith('HIBP_API_URL: a secret with a real-looking value in .env.example')));
});

test('a secret moved to plain variables, or read from the wrong secret or JSON key, is reported', (t) => {
  const places = baseline();
  const dev = places.appRunner[0]!;
  dev.plain.JWT_SIGNING_KEYS = dev.secrets.JWT_SIGNING_KEYS;
  delete dev.secrets.JWT_SIGNING_KEYS;
  dev.secrets.DATABASE_URL = String(dev.secrets.DATABASE_URL).replace(':value::', ':password::');
  const drift = findDrift(facts, places);
  t.true(drift.includes(`JWT_SIGNING_KEYS: a secret passed as a plain runtime_environment_variables entry in ${dev.unit}`), drift.join('\n'));
  t.true(drift.includes(`JWT_SIGNING_KEYS: architecture/PLATFORM_CONTRACT.md says secret \`auth/<env>/jwt-signing-keys\`, ${dev.unit} passes it as a plain variable`));
  t.true(drift.some((message) => message.startsWith('DATABASE_URL: architecture/PLATFORM_CONTRACT.md says secret auth/<env>/database-url key value')), drift.join('\n'));
});

test('a non-secret may come from Secrets Manager only where the contract says so', (t) => {
  // CLICKHOUSE_USER is not secret, but it must switch with the password, so it is read from the same secret.
  const places = baseline();
  const row = places.contract.find((entry) => entry.name === 'CLICKHOUSE_USER')!;
  const move = () => {
    for (const unit of places.appRunner) {
      delete unit.plain.CLICKHOUSE_USER;
      unit.secrets.CLICKHOUSE_USER = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/env/clickhouse-AbCdEf:username::';
    }
  };
  move();
  t.deepEqual(findDrift(facts, places), UNITS.map((unit) => `CLICKHOUSE_USER: ${CONTRACT} says plain, ${unit} injects it from Secrets Manager`));
  row.appRunner = { kind: 'secret', secret: 'auth/<env>/clickhouse', jsonKey: 'username' };
  t.deepEqual(findDrift(facts, places), []);
  // ...and then it must be the secret and key the contract names, and never a plain variable as well.
  places.appRunner[0]!.secrets.CLICKHOUSE_USER = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/env/clickhouse-AbCdEf:password::';
  places.appRunner[1]!.plain.CLICKHOUSE_USER = 'auth_app';
  t.deepEqual(findDrift(facts, places), [
    `CLICKHOUSE_USER: ${CONTRACT} says secret auth/<env>/clickhouse key username, ${UNITS[0]} references arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/env/clickhouse-AbCdEf:password::`,
    `CLICKHOUSE_USER: in both runtime_environment_variables and runtime_environment_secrets in ${UNITS[1]}`,
    `CLICKHOUSE_USER: ${CONTRACT} says secret \`auth/<env>/clickhouse\`, ${UNITS[1]} passes it as a plain variable`,
  ]);
  // The contract cannot make a secret plain: a secret is only ever in runtime_environment_secrets.
  const secretRow = places.contract.find((entry) => entry.name === 'CLICKHOUSE_PASSWORD')!;
  secretRow.appRunner = { kind: 'plain' };
  t.true(findDrift(facts, places).includes(`CLICKHOUSE_PASSWORD: a secret, but ${CONTRACT} line ${secretRow.line} makes it a plain App Runner variable`));
});

test('.env.example must not carry a real-looking secret, and a required variable needs a value', (t) => {
  const places = baseline();
  places.envExample.set('CLICKHOUSE_PASSWORD', 'hunter2-production');
  places.envExample.set('DATABASE_URL', '');
  const drift = findDrift(facts, places);
  t.true(drift.some((message) => message.startsWith('CLICKHOUSE_PASSWORD: a secret with a real-looking value in .env.example')));
  t.true(drift.includes('DATABASE_URL: required, but empty in .env.example'));
});

test('values the contract states must be the values of .env.example and of every App Runner unit', (t) => {
  const places = baseline();
  places.envExample.set('LOG_LEVEL', 'debug');
  places.appRunner[1]!.plain.ARGON2_ITERATIONS = '1';
  const row = places.contract.find((entry) => entry.name === 'NODE_ENV')!;
  row.appRunner = { kind: 'plain', value: 'production' };
  const line = (name: string) => places.contract.find((entry) => entry.name === name)!.line;
  t.deepEqual(findDrift(facts, places), [
    `NODE_ENV: ${CONTRACT} line ${line('NODE_ENV')} says App Runner uses "production", ${UNITS[0]} sets "development"`,
    `NODE_ENV: ${CONTRACT} line ${line('NODE_ENV')} says App Runner uses "production", ${UNITS[1]} sets "development"`,
    `LOG_LEVEL: ${CONTRACT} line ${line('LOG_LEVEL')} shows local value "info", ${ENV_EXAMPLE} has "debug"`,
    `ARGON2_ITERATIONS: ${CONTRACT} line ${line('ARGON2_ITERATIONS')} says App Runner uses the app default "2", ${UNITS[1]} sets "1"`,
  ]);
});

test('compose may not write a secret literally', (t) => {
  const places = baseline();
  places.compose.literals.set('CLICKHOUSE_PASSWORD', 'in-the-yaml');
  t.deepEqual(findDrift(facts, places), ['CLICKHOUSE_PASSWORD: a secret written literally in docker-compose.yml (app service)']);
});

test('"not set" in the contract is honoured only for optional variables, and must then really be unset', (t) => {
  const places = baseline();
  places.contract.find((row) => row.name === 'LOG_LEVEL')!.appRunner = { kind: 'not set', reason: 'test' };
  t.true(findDrift(facts, places).includes(`LOG_LEVEL: architecture/PLATFORM_CONTRACT.md says not set in App Runner, but ${UNITS[0]} sets it`));
  for (const unit of places.appRunner) delete unit.plain.LOG_LEVEL;
  t.deepEqual(findDrift(facts, places), []);
  places.contract.find((row) => row.name === 'DATABASE_URL')!.appRunner = { kind: 'not set', reason: 'test' };
  t.true(findDrift(facts, places).some((message) => message.startsWith('DATABASE_URL: required, but architecture/PLATFORM_CONTRACT.md')));
});

test('a unit whose inputs cannot be read statically is one failure with the reason', (t) => {
  const places = baseline();
  places.appRunner[0] = { unit: UNITS[0]!, plain: {}, secrets: {}, unevaluable: "runtime_environment_variables: 'clickhouse' does not exist" };
  t.deepEqual(findDrift(facts, places), [`${UNITS[0]}: runtime environment cannot be read statically: runtime_environment_variables: 'clickhouse' does not exist`]);
});

test('contract table parsing: App Runner cells, escaped pipes, and malformed rows', (t) => {
  t.deepEqual(parseAppRunnerCell('secret `auth/<env>/database` → `url`'), { kind: 'secret', secret: 'auth/<env>/database', jsonKey: 'url' });
  t.deepEqual(parseAppRunnerCell('secret `auth/<env>/jwt-signing-keys` (whole value)'), { kind: 'secret', secret: 'auth/<env>/jwt-signing-keys', jsonKey: undefined });
  t.deepEqual(parseAppRunnerCell('plain `true`'), { kind: 'plain', value: 'true' });
  t.deepEqual(parseAppRunnerCell('plain, the app default'), { kind: 'plain', value: 'app default' });
  t.deepEqual(parseAppRunnerCell('plain, per environment (`env.hcl` `log_level`)'), { kind: 'plain' });
  t.is(parseAppRunnerCell('from somewhere'), undefined);
  const header = '| Variable | Required | Secret | Default | Meaning | Local `.env` | Compose | App Runner |\n|---|---|---|---|---|---|---|---|\n';
  const { rows, problems } = parseContractTable(`${header}| \`A\` | yes | no | — | a\\|b | x | y | plain |\n| \`A\` | maybe | no | \`1\` | m | x | y | somewhere |\n`);
  t.is(rows[0]!.default, undefined);
  t.deepEqual(problems, [
    'line 4: App Runner cell must start with plain, secret `…` or not set',
    'line 4: Required and Secret must be yes or no',
    'line 4: A appears twice',
  ]);
});

test('secret references: ARN with JSON key, whole secret, and junk', (t) => {
  t.deepEqual(parseSecretReference('arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/prod/database-AbCdEf:url::'), { name: 'database', jsonKey: 'url' });
  t.deepEqual(parseSecretReference('arn:aws:secretsmanager:eu-west-1:111111111111:secret:auth/prod/jwt-signing-keys-AbCdEf'), { name: 'jwt-signing-keys', jsonKey: undefined });
  t.is(parseSecretReference('plain text'), undefined);
});
