#!/usr/bin/env node
// `npm run test:iac`: every Terraform module under terragrunt/modules, offline when a provider mirror exists.
//   1. terraform fmt -check -recursive (all modules; the Terragrunt *.hcl live tree is checked elsewhere)
//   2. per module, sequentially: terraform init -backend=false, validate, test
// Stops at the first problem and names the module. A module needing a provider that the local mirror lacks
// (clickhouse-cloud needs ClickHouse/clickhouse) is reported as SKIPPED, loudly, never counted as passed;
// without a mirror (CI with registry access) every module runs. Module names as arguments limit the run.
// Modules are tested in a throwaway copy of terragrunt/modules, so runs never write .terraform or lock files
// into the working tree and concurrent runs cannot trip over each other. The mirror is symlinked, not copied,
// so init stays at about a second per module.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import { dummyAwsEnv, mirroredProviders, providerMirror, terraformEnv } from './lib/terraform-cli.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modulesDir = join(repoRoot, 'terragrunt', 'modules');
const env = { ...terraformEnv(), ...dummyAwsEnv };
const mirror = providerMirror();
const mirrored = new Set(mirroredProviders(mirror).map((name) => name.toLowerCase()));

function fail(message, output = '') {
  if (output) process.stderr.write(`${output.trimEnd()}\n`);
  process.stderr.write(`\ntest:iac FAILED: ${message}\n`);
  process.exit(1);
}

function terraform(args, cwd) {
  const result = spawnSync('terraform', [...args, '-no-color'], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) fail(`could not run terraform (${result.error.message}); is it on PATH?`);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** `namespace/type` of every provider a module requires, e.g. `hashicorp/aws`. */
async function requiredProviders(dir) {
  const sources = new Set();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.tf'))) {
    const parsed = await parse(file, readFileSync(join(dir, file), 'utf8'));
    for (const block of parsed.terraform ?? []) {
      for (const providers of block.required_providers ?? []) {
        for (const [name, spec] of Object.entries(providers)) {
          const source = typeof spec === 'string' ? `hashicorp/${name}` : (spec.source ?? `hashicorp/${name}`);
          sources.add(source.replace(/^registry\.terraform\.io\//i, ''));
        }
      }
    }
  }
  return [...sources].sort();
}

/** Repository ava files that name the module, cited when its terraform run must be skipped. */
function coveringTests(module) {
  const testDir = join(repoRoot, 'test');
  if (!existsSync(testDir)) return [];
  return readdirSync(testDir)
    .filter((name) => name.endsWith('.test.ts') && readFileSync(join(testDir, name), 'utf8').includes(module))
    .map((name) => `test/${name}`);
}

const allModules = readdirSync(modulesDir).filter((name) => statSync(join(modulesDir, name)).isDirectory()).sort();
// `node scripts/test-iac.mjs network ecr` limits the per-module step to the named modules.
const only = process.argv.slice(2);
const unknown = only.filter((name) => !allModules.includes(name));
if (unknown.length > 0) fail(`no such module: ${unknown.join(', ')}`);
const modules = only.length > 0 ? only : allModules;
process.stdout.write(`terraform provider mirror: ${mirror ?? 'none (using the registry)'}\n`);

const fmt = terraform(['fmt', '-check', '-recursive', '-diff', relative(repoRoot, modulesDir)], repoRoot);
if (!fmt.ok) fail('terraform fmt -check: run `terraform fmt -recursive terragrunt/modules`', fmt.output);
process.stdout.write('ok   terraform fmt -check -recursive terragrunt/modules\n');

const workRoot = mkdtempSync(join(tmpdir(), 'auth-platform-iac-'));
process.on('exit', () => rmSync(workRoot, { recursive: true, force: true }));
const workModules = join(workRoot, 'modules');
cpSync(modulesDir, workModules, {
  recursive: true,
  filter: (source) => !['.terraform', '.terraform.lock.hcl'].includes(basename(source)),
});

let runsPassed = 0;
let modulesTested = 0;
const skipped = [];
for (const module of modules) {
  const dir = join(modulesDir, module);
  const missing = mirror ? (await requiredProviders(dir)).filter((source) => !mirrored.has(source.toLowerCase())) : [];
  if (missing.length > 0) {
    const tests = coveringTests(module);
    // Skipping is only acceptable when repository checks cover the module instead.
    if (tests.length === 0) fail(`${module}: provider ${missing.join(', ')} is not in the mirror and no test/*.test.ts covers the module`);
    process.stdout.write(
      `SKIPPED validate/test for ${module}: provider ${missing.join(', ')} not in the local mirror (${mirror}); ` +
        `covered by HCL checks in ${tests.join(', ')}\n`,
    );
    skipped.push(module);
    continue;
  }
  const testsDir = join(dir, 'tests');
  if (!existsSync(testsDir) || !readdirSync(testsDir).some((name) => name.endsWith('.tftest.hcl'))) {
    fail(`${module}: no tests/*.tftest.hcl`);
  }
  for (const [step, args] of [
    ['init', ['init', '-backend=false', '-input=false']],
    ['validate', ['validate']],
    ['test', ['test']],
  ]) {
    const result = terraform(args, join(workModules, module));
    if (!result.ok) fail(`${module}: terraform ${step}`, result.output);
    if (step === 'test') {
      const summary = /Success! (\d+) passed, 0 failed/.exec(result.output);
      if (!summary) fail(`${module}: terraform test printed no success summary`, result.output);
      runsPassed += Number(summary[1]);
      process.stdout.write(`ok   ${module}: init, validate, test (${summary[1]} runs)\n`);
    }
  }
  modulesTested += 1;
}

process.stdout.write(
  `\ntest:iac: ${modules.length} modules, ${modulesTested} validated and tested, ${runsPassed} terraform test runs passed` +
    `${skipped.length > 0 ? `, ${skipped.length} SKIPPED (${skipped.join(', ')})` : ''}\n`,
);
