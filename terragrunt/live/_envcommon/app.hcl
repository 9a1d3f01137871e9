# The auth service on App Runner (module apprunner-service). A deploy is an apply of this unit with IMAGE_TAG
# set to the git SHA; a rollback is the same apply with an earlier SHA.
# What both targets share (dependencies, variables, secrets, size) is in app-runtime.hcl, which the unit includes too.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  # Default "0000000" is a placeholder that lets plans run without a deploy (pull requests, drift checks);
  # the before_hook below refuses an apply unless IMAGE_TAG is set.
  image_tag = get_env("IMAGE_TAG", "0000000")
}

# Out of every run (run --all and this unit alone) unless the environment runs on App Runner, or is moving off it
# (env.hcl compute_target; app-ecs.hcl is the ECS Fargate unit).
exclude {
  if                   = !contains(concat([local.env.compute_target], local.env.compute_targets_retiring), "apprunner")
  actions              = ["all"]
  no_run               = true
  exclude_dependencies = false
}

terraform {
  before_hook "require_image_tag" {
    commands = ["apply"]
    execute  = ["sh", "-c", "test -n \"$IMAGE_TAG\" || { echo 'IMAGE_TAG must be the git SHA to deploy' >&2; exit 1; }"]
  }
}

dependency "network" {
  config_path = "${get_terragrunt_dir()}/../network"
  mock_outputs = {
    private_subnet_ids          = ["subnet-00000000000000001", "subnet-00000000000000002"]
    connector_security_group_id = "sg-00000000000000001"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

inputs = {
  image_tag          = local.image_tag
  min_size           = local.env.app_min_instances
  max_size           = local.env.app_max_instances
  max_concurrency    = local.env.app_max_concurrency
  subnet_ids         = dependency.network.outputs.private_subnet_ids
  security_group_ids = [dependency.network.outputs.connector_security_group_id]
}
