// scripts/lib/rehearsal-plan.mjs: which changes of the rehearsal's second plan are a listed moto gap and nothing
// else. The entries are shaped after `terraform show -json <plan file>` (Terraform 1.11 "JSON Output Format",
// resource_changes[].change: actions, before, after, after_unknown), as the rehearsal reads them.
import test from 'ava';
import { emulatorGap, planChanges, type ResourceChange } from '../scripts/lib/rehearsal-plan.mjs';

// The second plan of dev's ECS service against moto 5.2.5 (CreateService keeps none of the three).
function ecsService(before: Record<string, unknown>, after: Record<string, unknown>, afterUnknown: Record<string, unknown> = {}): ResourceChange {
  const common = { name: 'auth-dev', desired_count: 2, tags: { service: 'auth' }, tags_all: { service: 'auth', env: 'dev' } };
  return {
    address: 'module.service.aws_ecs_service.this',
    type: 'aws_ecs_service',
    change: { actions: ['update'], before: { ...common, ...before }, after: { ...common, ...after }, after_unknown: afterUnknown },
  };
}
const gapBefore = { health_check_grace_period_seconds: 0, enable_ecs_managed_tags: false, availability_zone_rebalancing: '' };
const gapAfter = { health_check_grace_period_seconds: 60, enable_ecs_managed_tags: true, availability_zone_rebalancing: 'ENABLED' };

test('the ECS service gap is accepted exactly: the three attributes moto drops, from their absent values', (t) => {
  t.truthy(emulatorGap(ecsService(gapBefore, gapAfter)));
  t.falsy(emulatorGap(ecsService({ ...gapBefore, desired_count: 2 }, { ...gapAfter, desired_count: 3 })), 'a desired_count drift is not the gap');
  t.falsy(emulatorGap(ecsService({ ...gapBefore, health_check_grace_period_seconds: 30 }, gapAfter)), 'a value moto kept is not the gap');
});

test('a tag drift is never hidden behind a gap: tags_all may differ only where the plan marks it unknown', (t) => {
  const tagsDrift = { tags_all: { service: 'auth', env: 'staging' } };
  t.falsy(emulatorGap(ecsService({}, tagsDrift)), 'tags_all alone');
  t.falsy(emulatorGap(ecsService(gapBefore, { ...gapAfter, ...tagsDrift })), 'tags_all next to the gap');
  const unknown = ecsService(gapBefore, { ...gapAfter, tags_all: undefined }, { tags_all: true });
  t.truthy(emulatorGap(unknown), 'tags_all unknown (computed at apply) next to the gap');
  t.falsy(emulatorGap(ecsService({}, { tags_all: undefined }, { tags_all: true })), 'tags_all unknown alone is no gap');
});

test('the security group rule gap: only the description, only on a rule that references a group', (t) => {
  const rule = (after: Record<string, unknown>, before: Record<string, unknown> = { description: null }): ResourceChange => ({
    type: 'aws_vpc_security_group_ingress_rule',
    change: { actions: ['update'], before: { from_port: 5432, ...before }, after: { from_port: 5432, ...after } },
  });
  t.truthy(emulatorGap(rule({ description: 'app to database', referenced_security_group_id: 'sg-1' }, { description: null, referenced_security_group_id: 'sg-1' })));
  t.falsy(emulatorGap(rule({ description: 'from anywhere', cidr_ipv4: '0.0.0.0/0' }, { description: null, cidr_ipv4: '0.0.0.0/0' })), 'a CIDR rule keeps its description in moto');
  t.falsy(emulatorGap(rule({ description: 'x', referenced_security_group_id: 'sg-2' }, { description: null, referenced_security_group_id: 'sg-1' })), 'a changed reference');
});

test('only in-place updates can be a gap; no-op and read are not changes', (t) => {
  const replaced = ecsService(gapBefore, gapAfter);
  replaced.change.actions = ['delete', 'create'];
  t.falsy(emulatorGap(replaced));
  const plan = { resource_changes: [replaced, { type: 'aws_iam_policy_document', change: { actions: ['read'] } }, { type: 'aws_s3_bucket', change: { actions: ['no-op'] } }] };
  t.deepEqual(planChanges(plan), [replaced]);
});

// The RDS unit's second plan against moto 5.2.5, as `terraform show -json` printed it in a rehearsal of dev.
test('the RDS gaps: Performance Insights turned on again, and parameters set again from none; nothing else', (t) => {
  const instance = (before: Record<string, unknown>, after: Record<string, unknown>): ResourceChange => ({
    type: 'aws_db_instance',
    change: { actions: ['update'], before: { instance_class: 'db.t4g.micro', ...before }, after: { instance_class: 'db.t4g.micro', ...after } },
  });
  const piBefore = { performance_insights_enabled: false, performance_insights_kms_key_id: '', performance_insights_retention_period: 0 };
  const piAfter = { performance_insights_enabled: true, performance_insights_kms_key_id: 'arn:aws:kms:eu-west-1:111111111111:key/8805f428-f1d6-4ceb-b323-48e520a54406', performance_insights_retention_period: 7 };
  t.truthy(emulatorGap(instance(piBefore, piAfter)));
  t.falsy(emulatorGap(instance(piBefore, { ...piAfter, instance_class: 'db.t4g.small' })), 'an instance class drift');
  const parameters = [{ apply_method: 'immediate', name: 'rds.force_ssl', value: '1' }];
  const group = (before: unknown[]): ResourceChange => ({ type: 'aws_db_parameter_group', change: { actions: ['update'], before: { family: 'postgres16', parameter: before }, after: { family: 'postgres16', parameter: parameters } } });
  t.truthy(emulatorGap(group([])));
  t.falsy(emulatorGap(group([{ apply_method: 'immediate', name: 'rds.force_ssl', value: '0' }])), 'a parameter moto kept and that changed');
});
