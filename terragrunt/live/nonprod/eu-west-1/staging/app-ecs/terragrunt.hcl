# Identical in every environment: the unit is defined in _envcommon/app-ecs.hcl, sizing comes from env.hcl.
# Excluded unless env.hcl's compute_target (or compute_target_retiring) is "ecs-fargate".
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/app-ecs.hcl"
}

terraform {
  source = "../../../../../modules//ecs-fargate-service"
}
