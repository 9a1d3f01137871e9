// The Terragrunt-subset evaluator the live-tree checks and the plan smoke rely on: what it computes, and that it
// refuses (Unevaluable, with the reason) what it does not know instead of guessing.
import test from 'ava';
import { evaluateValue, templateParts, Unevaluable, type Scope } from './lib/terragrunt-eval.ts';

const scope = (roots: Record<string, unknown> = {}, env: Record<string, string> = {}): Scope => ({
  unitDir: '/repo/terragrunt/live/acct/r1/dev/app',
  fileDir: '/repo/terragrunt/live/_envcommon',
  includeDir: '/repo/terragrunt',
  roots,
  env,
  readConfig: () => ({ locals: { from: 'read' } }),
});

const local = { env: { env: 'dev', private: false, ips: ['203.0.113.1', '203.0.113.2'], extra: { B: '2' } } };

const cases: Array<[string, unknown, unknown]> = [
  ['a literal', 'plain', 'plain'],
  ['a number', 3, 3],
  ['a template', 'auth-${local.env.env}', 'auth-dev'],
  ['a whole-value interpolation keeps the type', '${local.env.ips}', ['203.0.113.1', '203.0.113.2']],
  ['an escaped interpolation', 'literal $${x}', 'literal ${x}'],
  ['a conditional', '${local.env.private ? [] : ["public"]}', ['public']],
  ['a for expression with a template body', '${[for ip in local.env.ips : { source = ip, description = "nat ${local.env.env}" }]}',
    [{ source: '203.0.113.1', description: 'nat dev' }, { source: '203.0.113.2', description: 'nat dev' }]],
  ['merge over an object with comments', '${merge({\n  # why\n  A = "1" // also why\n}, local.env.extra)}', { A: '1', B: '2' }],
  ['get_env with its default', '${get_env("IMAGE_TAG", "0000000")}', '0000000'],
  ['path functions', '${basename(get_terragrunt_dir())}/${path_relative_to_include()}', 'app/live/acct/r1/dev/app'],
  ['read_terragrunt_config of an absent file falls back to its default', '${read_terragrunt_config("/nowhere.hcl", { locals = { x = 1 } }).locals.x}', 1],
  ['list and map indexing', '${local.env.ips[1]}', '203.0.113.2'],
];

for (const [name, input, expected] of cases) {
  test(`evaluates ${name}`, (t) => {
    t.deepEqual(evaluateValue(input, scope({ local })), expected);
  });
}

test('get_env prefers the environment over the default', (t) => {
  t.is(evaluateValue('${get_env("IMAGE_TAG", "0000000")}', scope({}, { IMAGE_TAG: 'abc1234' })), 'abc1234');
});

const refused: Array<[string, string, RegExp]> = [
  ['an unknown local', '${local.env.nope}', /'nope' does not exist/],
  ['an unknown function', '${run_cmd("id")}', /run_cmd\(\) is not supported/],
  ['a for with an if filter', '${[for ip in local.env.ips : ip if ip != ""]}', /'if' filters are not supported/],
  ['arithmetic', '${1 + 2}', /unsupported character '\+'/],
  ['get_env without a default when unset', '${get_env("NOT_SET_ANYWHERE")}', /has no default/],
];

for (const [name, input, message] of refused) {
  test(`refuses ${name} with the reason`, (t) => {
    const error = t.throws(() => evaluateValue(input, scope({ local })), { instanceOf: Unevaluable });
    t.regex(error.message, message);
  });
}

test('templateParts splits literals from nested interpolations', (t) => {
  t.deepEqual(templateParts('a-${f("}")}-b'), [{ literal: 'a-' }, { expression: 'f("}")' }, { literal: '-b' }]);
});
