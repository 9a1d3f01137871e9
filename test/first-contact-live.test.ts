// Issue 12 (first contact): what the live tree really hands to Terraform, read with the real Terragrunt
// (`terragrunt render --format json`, v1.1.1; test/lib/first-contact.ts), checked against upstream facts:
//   item 4  - Amazon RDS User Guide, USER_PIOPS.Autoscaling.html: max storage at least 10% above the allocation;
//   item 7  - App Runner reserves PORT (and the AWSAPPRUNNER prefix) for itself (App Runner API, ImageConfiguration);
//   item 8  - GitHub Docs, OpenID Connect, "Immutable subject claims": repo:<owner>@<id>/<repo>@<id>:... for
//             repositories created or renamed since 2026-07-15, so the trust must accept both forms;
//   item 11 - Terraform S3 backend (v1.11): with `encrypt` and no `kms_key_id` state is written with SSE-S3 (AES256);
//             an alias ARN is a valid kms_key_id (internal/backend/remote-state/s3/validate.go, validateKMSKey);
//   item 13 - Secrets Manager DeleteSecret: a secret in its recovery window blocks a new secret of the same name;
//             RecoveryWindowInDays 0 (ForceDeleteWithoutRecovery) is what a disposable environment needs;
//   item 14 - Terragrunt v1.1.1 pkg/config/dependency.go: mock_outputs_merge_strategy_with_state defaults to
//             no_merge, which drops the mocks once the dependency has any state.
//   item 3  - terraform-provider-clickhouse v3.25.3 internal/provider/provider.go l.178-189: CLICKHOUSE_ORG_ID,
//             CLICKHOUSE_CLOUD_API_KEY/SECRET (CLICKHOUSE_TOKEN_KEY/SECRET only as the deprecated fallback).
//   item 6  - one bring-up order, the same in terragrunt/README.md and runbooks/new-environment.md.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findFiles, liveDir, modulesDir, parseHclFile, parseModule, repoRoot, type HclJson } from './lib/hcl.ts';
import { renderUnit } from './lib/first-contact.ts';

const ENVS = { dev: 'nonprod/eu-west-1/dev', staging: 'nonprod/eu-west-1/staging', prod: 'prod/eu-west-1/prod' } as const;
const ACCOUNTS = { nonprod: '111111111111', prod: '222222222222' } as const;

test('item 4: every environment\'s RDS storage ceiling is at least 10% above its allocation', async (t) => {
  for (const [env, path] of Object.entries(ENVS)) {
    const { inputs } = await renderUnit(`${path}/rds`);
    const allocated = Number(inputs.allocated_storage);
    const maximum = Number(inputs.max_allocated_storage ?? 100); // the module's default when the unit passes none
    t.true(maximum === 0 || maximum >= Math.ceil(allocated * 1.1), `${env}: ${allocated} GiB allocated, ceiling ${maximum} GiB`);
  }
});

test('item 7: the app unit passes no reserved App Runner variable name', async (t) => {
  for (const [env, path] of Object.entries(ENVS)) {
    const { inputs } = await renderUnit(`${path}/app`, { IMAGE_TAG: 'a'.repeat(40) });
    const names = [...Object.keys(inputs.runtime_environment_variables as object), ...Object.keys(inputs.runtime_environment_secrets as object)];
    t.true(names.length > 10, `${env}: ${names.length} variables`);
    t.deepEqual(names.filter((name) => name.toUpperCase() === 'PORT' || name.toUpperCase().startsWith('AWSAPPRUNNER')), [], env);
    t.is(inputs.port, 8080, `${env}: App Runner sets PORT from port`);
  }
});

test('item 8: both accounts\' OIDC trust accepts the name form and the immutable-id form of `sub`', async (t) => {
  const variables = (await parseModule(join(modulesDir, 'github-oidc'))).variable as Record<string, HclJson[]>;
  t.truthy(variables.subject_format, 'the module supports both forms');
  for (const account of Object.keys(ACCOUNTS)) {
    const { inputs } = await renderUnit(`${account}/_global/github-oidc`);
    t.is(inputs.subject_format, 'both', account);
    t.regex(String(inputs.github_owner_id), /^[0-9]+$/, account);
    t.regex(String(inputs.github_repository_id), /^[0-9]+$/, account);
  }
});

test('item 11: every unit\'s S3 backend encrypts state with the state key, by the alias the state-backend module creates', async (t) => {
  const stateBackend = await parseHclFile(join(modulesDir, 'state-backend', 'main.tf'));
  t.is(stateBackend.resource.aws_kms_alias.this[0].name, 'alias/terraform-state/${var.bucket_name}');
  for (const unit of [`${ENVS.dev}/network`, `${ENVS.prod}/app`, 'nonprod/_global/state-backend', 'prod/_global/github-oidc']) {
    const [account, region] = unit.startsWith('prod/') ? ['prod', 'eu-west-1'] : ['nonprod', 'eu-west-1'];
    const rendered = await renderUnit(unit, { IMAGE_TAG: 'a'.repeat(40) });
    const config = rendered.remote_state?.config ?? {};
    const bucket = `acme-auth-tfstate-${ACCOUNTS[account as keyof typeof ACCOUNTS]}-${region}`;
    t.is(config.bucket, bucket, unit);
    t.is(config.encrypt, true, unit);
    t.is(config.kms_key_id, `arn:aws:kms:${region}:${ACCOUNTS[account as keyof typeof ACCOUNTS]}:alias/terraform-state/${bucket}`, unit);
  }
  const stateUnit = await renderUnit('nonprod/_global/state-backend');
  t.is(stateUnit.inputs.bucket_name, 'acme-auth-tfstate-111111111111-eu-west-1', 'the alias is made for the bucket root.hcl names');
});

test('item 13: a disposable environment deletes secrets without a recovery window, the others keep one', async (t) => {
  for (const [env, path] of Object.entries(ENVS)) {
    const locals = (await parseHclFile(join(liveDir, path, 'env.hcl'))).locals[0];
    const { inputs } = await renderUnit(`${path}/secrets`);
    if (locals.disposable === true) t.is(inputs.recovery_window_in_days, 0, env);
    else t.true(Number(inputs.recovery_window_in_days) >= 7, env);
  }
  t.is((await parseHclFile(join(liveDir, ENVS.dev, 'env.hcl'))).locals[0].disposable, true, 'dev is the disposable one');
});

test('item 14: every dependency with mock outputs merges them with state (shallow)', async (t) => {
  let checked = 0;
  for (const file of findFiles(liveDir, (name) => name.endsWith('.hcl'))) {
    const dependencies = ((await parseHclFile(file)).dependency ?? {}) as Record<string, HclJson[]>;
    for (const [name, [block]] of Object.entries(dependencies)) {
      if (!block?.mock_outputs) continue;
      checked += 1;
      t.is(block.mock_outputs_merge_strategy_with_state, 'shallow', `${file} dependency ${name}`);
    }
  }
  t.true(checked >= 9, `${checked} dependencies with mocks`);
  // And Terragrunt itself reads it so: the rendered app unit carries the strategy on its dependencies.
  const rendered = await renderUnit(`${ENVS.dev}/app`, { IMAGE_TAG: 'a'.repeat(40) });
  const rendererDependencies = rendered.dependency ?? {};
  t.true(Object.keys(rendererDependencies).length >= 5);
  for (const [name, block] of Object.entries(rendererDependencies)) t.is(block.mock_outputs_merge_strategy_with_state, 'shallow', `rendered app dependency ${name}`);
});

test('item 3: plan and infra give the ClickHouse provider its current variables, and no file uses the deprecated ones', (t) => {
  const names = ['CLICKHOUSE_ORG_ID', 'CLICKHOUSE_CLOUD_API_KEY', 'CLICKHOUSE_CLOUD_API_SECRET'];
  for (const [file, stepMatch] of [['plan.yml', /terragrunt run --all/], ['infra.yml', undefined]] as const) {
    const workflow = parseYaml(readFileSync(join(repoRoot, '.github', 'workflows', file), 'utf8')) as { jobs: Record<string, { steps?: { uses?: string; run?: string; env?: Record<string, string> }[] }> };
    let steps = 0;
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        const runsStack = stepMatch ? stepMatch.test(step.run ?? '') : step.uses === './.github/actions/terragrunt-stack';
        if (!runsStack) continue;
        steps += 1;
        for (const name of names) t.truthy(step.env?.[name], `${file} ${id}: ${name}`);
      }
    }
    t.true(steps >= 1, `${file}: the step that runs the stack`);
  }
  const cicd = readFileSync(join(repoRoot, 'architecture', 'CI_CD.md'), 'utf8');
  for (const name of names) t.true(cicd.includes(`\`${name}\``), `CI_CD.md names ${name}`);
  const everywhere = [...findFiles(join(repoRoot, '.github'), () => true), ...findFiles(join(repoRoot, 'terragrunt'), (name) => /\.(hcl|tf|md)$/.test(name)), join(repoRoot, 'architecture', 'CI_CD.md')];
  for (const file of everywhere) {
    const text = readFileSync(file, 'utf8');
    // A mention is fine only where the same paragraph calls it deprecated or a fallback.
    for (const paragraph of text.split(/\n\s*\n/)) {
      if (/CLICKHOUSE_TOKEN_(KEY|SECRET)/.test(paragraph)) t.regex(paragraph, /deprecated|fallback/i, `${file} uses a deprecated name: ${paragraph.trim().slice(0, 200)}`);
    }
  }
});

test('item 6: terragrunt/README.md and runbooks/new-environment.md give the same bring-up order', (t) => {
  const order = (file: string) => {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    const match = /<!-- bring-up order[^>]*-->\n([\s\S]*?)<!-- end of bring-up order -->/.exec(text);
    if (!match) throw new Error(`${file} has no bring-up order block`);
    return match[1]!.trim();
  };
  const readme = order('terragrunt/README.md');
  t.is(order('runbooks/new-environment.md'), readme);
  // Each infra run applies only the layer whose dependencies have state: rds, clickhouse and app never in the first.
  t.regex(readme, /applies\s+`network`, `secrets` and `alarms`, and refuses `rds`, `clickhouse` and the app unit/);
});

// Item 8: GitHub's immutable subject claims carry the owner and repository ids (GitHub Docs, OpenID Connect
// reference, "Immutable subject claims"); `gh api repos/<owner>/<repo> --jq '.owner.id, .id'` prints them (GitHub
// REST API, "Get a repository": owner.id, id). Until the bootstrap sets them, the live tree holds all-zero ids, an id
// no GitHub account or repository has, marked as placeholders, and both bootstrap docs say how to set them.
test('the GitHub ids of the OIDC trust are unmistakable placeholders, and the bootstrap docs set them', async (t) => {
  const text = readFileSync(join(liveDir, '_envcommon', 'github-oidc.hcl'), 'utf8');
  const inputs = (await parseHclFile(join(liveDir, '_envcommon', 'github-oidc.hcl'))).inputs as HclJson;
  for (const name of ['github_owner_id', 'github_repository_id']) {
    const value = String(inputs[name]);
    if (/^0+$/.test(value)) t.regex(text, new RegExp(`${name}\\s*=\\s*"${value}"\\s*# PLACEHOLDER`), name);
    else t.regex(value, /^[1-9][0-9]*$/, name);
  }
  for (const doc of [join(repoRoot, 'terragrunt', 'README.md'), join(repoRoot, 'architecture', 'CI_CD.md')]) {
    t.true(readFileSync(doc, 'utf8').includes("gh api repos/<owner>/<repo> --jq '.owner.id, .id'"), doc);
  }
});
