// The second plan of the bring-up rehearsal (scripts/rehearse.mjs), read from `terraform show -json <plan file>`
// (Terraform's JSON output format, "resource_changes": address, type, change.actions, change.before, change.after,
// change.after_unknown): which changes are planned, and which of them are a known moto gap and nothing else.

/**
 * The resource changes of a plan that are not no-ops.
 *
 * @param {{ resource_changes?: Array<{ change: { actions: string[] } }> }} plan `terraform show -json` of a plan file
 * @returns {Array<object>} the entries of resource_changes whose actions are not all `no-op` or `read`
 */
export function planChanges(plan) {
  return (plan.resource_changes ?? []).filter((change) => !change.change.actions.every((action) => action === 'no-op' || action === 'read'));
}

/**
 * The emulator gaps the second plan may show, each matched exactly (resource type, action `update`, the attributes
 * that differ and, where moto drops a value, its "absent" value before):
 *   - moto 5.2.5 returns a security group rule's description only for CIDR rules
 *     (moto/ec2/models/security_groups.py lines 95-96, SecurityRule.description reads ip_range only), so a rule
 *     that references another security group plans an in-place update of `description`;
 *   - moto 5.2.5's ECS CreateService reads neither healthCheckGracePeriodSeconds, enableECSManagedTags nor
 *     availabilityZoneRebalancing (moto/ecs/responses.py lines 288-318, create_service), so DescribeServices answers
 *     without them and the service plans an in-place update of those three;
 *   - moto 5.2.5's RDS DBInstance has no Performance Insights attributes at all (no PerformanceInsights* in
 *     moto/rds/models.py), so the instance plans turning them on again;
 *   - moto 5.2.5 stores a parameter group's parameters as sent, without `Source` (moto/rds/models.py
 *     modify_db_parameter_group, line 3348), and hashicorp/aws 5.100.0 skips every parameter whose Source is nil
 *     when the configuration names parameters (internal/service/rds/parameter_group.go, resourceParameterGroupRead:
 *     `if parameter.Source == nil ... continue`), so the group plans its parameters again.
 * architecture/REHEARSAL_GAPS.md lists them all.
 */
export const EMULATOR_GAPS = [
  {
    type: /^aws_vpc_security_group_(ingress|egress)_rule$/,
    applies: (after) => Boolean(after?.referenced_security_group_id),
    attributes: { description: [null, ''] },
    reason: 'moto drops the description of a rule that references a security group',
  },
  {
    type: /^aws_ecs_service$/,
    applies: () => true,
    attributes: { availability_zone_rebalancing: ['', null], enable_ecs_managed_tags: [false, null], health_check_grace_period_seconds: [0, null] },
    reason: "moto's ECS CreateService drops health_check_grace_period_seconds, enable_ecs_managed_tags and availability_zone_rebalancing",
  },
  {
    type: /^aws_db_instance$/,
    applies: () => true,
    attributes: { performance_insights_enabled: [false], performance_insights_kms_key_id: ['', null], performance_insights_retention_period: [0, null] },
    reason: "moto's RDS instance keeps no Performance Insights settings",
  },
  {
    type: /^aws_db_parameter_group$/,
    applies: () => true,
    attributes: { parameter: [[]] },
    reason: "moto's DescribeDBParameters answers without Source, and the provider skips a parameter without one",
  },
];

/**
 * The attributes whose value differs between before and after of a planned change.
 *
 * @param {{ change: { before?: object | null, after?: object | null } }} change one entry of resource_changes
 * @returns {string[]} attribute names, in the order of before then after
 */
export function differingAttributes(change) {
  const { before, after } = change.change;
  return Object.keys({ ...before, ...after }).filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]));
}

/**
 * The EMULATOR_GAPS entry that explains a planned change entirely, or undefined. A change is explained only when
 * it is an in-place update of the gap's resource type, at least one of the gap's attributes differs, every such
 * attribute had one of the gap's "absent" values before, and nothing else differs but `tags_all` where the plan
 * marks it unknown (after_unknown): a known tag drift, or a change of the gap's attributes away from a value moto
 * did keep, is not a gap.
 *
 * @param {{ type: string, change: { actions: string[], before?: object | null, after?: object | null, after_unknown?: object } }} change
 *   one entry of resource_changes
 * @returns {(typeof EMULATOR_GAPS)[number] | undefined} the gap, or undefined when the change is a real one
 */
export function emulatorGap(change) {
  if (change.change.actions.join() !== 'update') return undefined;
  const { before, after, after_unknown: afterUnknown } = change.change;
  const differing = differingAttributes(change);
  return EMULATOR_GAPS.find((gap) => {
    if (!gap.type.test(change.type) || !gap.applies(after)) return false;
    const isGapValue = (key) => key in gap.attributes && gap.attributes[key].some((absent) => JSON.stringify(absent) === JSON.stringify(before?.[key]));
    const isUnknownTagsAll = (key) => key === 'tags_all' && afterUnknown?.tags_all === true;
    return differing.some(isGapValue) && differing.every((key) => isGapValue(key) || isUnknownTagsAll(key));
  });
}
