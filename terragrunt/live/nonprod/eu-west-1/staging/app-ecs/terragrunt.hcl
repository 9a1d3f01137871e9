# Identical in every environment: the unit is defined in _envcommon/app-ecs.hcl and app-runtime.hcl, sizing comes from env.hcl.
# Excluded unless env.hcl's compute_target (or compute_target_retiring) is "ecs-fargate".
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/app-ecs.hcl"
}

# What both compute targets share: dependencies, the app's variables and secrets, its size.
include "app_runtime" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/live/_envcommon/app-runtime.hcl"
}

terraform {
  source = "../../../../../modules//ecs-fargate-service"
}
