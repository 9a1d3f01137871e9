// REHEARSAL=1 (scripts/rehearse.mjs, architecture/REHEARSAL_GAPS.md) switches off what moto 5.2.5 cannot take:
// the state buckets' TLS-only statements, the ECS service's auto scaling, and the plan-only limit of the app units'
// ClickHouse mock outputs. These tests render real units with the real Terragrunt (test/lib/terragrunt.ts) and hold
// that a real run (no REHEARSAL) gets none of it, and that REHEARSAL=1 cannot reach AWS (root.hcl's
// rehearsal_guard refuses it unless AWS_ENDPOINT_URL is a loopback emulator).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { findFiles, liveDir, repoRoot } from './lib/hcl.ts';
import { renderUnit, terragrunt } from './lib/terragrunt.ts';

const loopback = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
const image = { IMAGE_TAG: 'a1b2c3d', IMAGE_DIGEST: `sha256:${'1'.repeat(64)}` };

// A new REHEARSAL-only setting must be added here, with what a real run gets, before this test passes again.
test('REHEARSAL is read only where the tests below check a real run', (t) => {
  const readers = findFiles(`${repoRoot}/terragrunt`, (name) => name.endsWith('.hcl'))
    .filter((file) => readFileSync(file, 'utf8').includes('get_env("REHEARSAL"'))
    .map((file) => relative(repoRoot, file))
    .sort();
  t.deepEqual(readers, [
    'terragrunt/live/_envcommon/app-ecs.hcl',
    'terragrunt/live/_envcommon/app-runtime.hcl',
    'terragrunt/live/_envcommon/state-backend.hcl',
    'terragrunt/root.hcl',
  ]);
});

test('a real run (no REHEARSAL) keeps every safeguard: TLS-only state buckets, auto scaling, plan-only ClickHouse mocks', async (t) => {
  const stateBackend = await renderUnit('nonprod/_global/state-backend', { REHEARSAL: '' });
  t.is(stateBackend.inputs.enforce_tls, true);
  t.false('skip_bucket_enforced_tls' in (stateBackend.remote_state?.config ?? {}));
  for (const [unit, env] of [['nonprod/eu-west-1/dev/app-ecs', image], ['prod/eu-west-1/prod/app', image]] as const) {
    const rendered = await renderUnit(unit, { REHEARSAL: '', ...env });
    const clickhouse = rendered.dependency?.clickhouse;
    t.deepEqual(clickhouse?.mock_outputs_allowed_terraform_commands, ['validate', 'plan'], unit);
    t.not(clickhouse?.skip, true, unit);
    if (unit.endsWith('app-ecs')) t.is(rendered.inputs.autoscaling_enabled, true, unit);
  }
});

test('under REHEARSAL=1 with a loopback endpoint, exactly those safeguards are off', async (t) => {
  const stateBackend = await renderUnit('nonprod/_global/state-backend', { REHEARSAL: '1', ...loopback });
  t.is(stateBackend.inputs.enforce_tls, false);
  t.is(stateBackend.remote_state?.config.skip_bucket_enforced_tls, true);
  const app = await renderUnit('nonprod/eu-west-1/dev/app-ecs', { REHEARSAL: '1', ...loopback, ...image });
  t.is(app.inputs.autoscaling_enabled, false);
  t.deepEqual(app.dependency?.clickhouse?.mock_outputs_allowed_terraform_commands, ['validate', 'plan', 'apply', 'destroy']);
});

test('REHEARSAL=1 never reaches AWS: with no endpoint or a real AWS endpoint, no unit loads', async (t) => {
  for (const endpoint of ['', 'https://s3.eu-west-1.amazonaws.com', 'http://127.0.0.1.example.com:4566']) {
    const { status, output } = await terragrunt(['render', '--format', 'json'], `${liveDir}/nonprod/_global/state-backend`, { REHEARSAL: '1', AWS_ENDPOINT_URL: endpoint });
    t.not(status, 0, `REHEARSAL=1 with AWS_ENDPOINT_URL="${endpoint}" rendered`);
    t.regex(output, /REHEARSAL_NEEDS_LOOPBACK_AWS_ENDPOINT_URL/, endpoint);
  }
});
