# The auth service on ECS Fargate behind an ALB (module ecs-fargate-service): the compute target of environments
# whose env.hcl says compute_target = "ecs-fargate" (app.hcl is the App Runner one). A deploy is an apply of this
# unit with IMAGE_TAG set to the git SHA and IMAGE_DIGEST to that image's digest in ECR
# (runbooks/scripts/deploy.sh resolves it); a rollback is the same apply with an earlier SHA.
locals {
  # What both targets share (dependencies, variables, secrets, size) is in app-runtime.hcl, which the unit includes too.
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  # A placeholder that lets plans run without a deploy (pull requests, drift checks); the before_hook below
  # refuses an apply unless IMAGE_DIGEST and IMAGE_TAG (app-runtime.hcl: SERVICE_VERSION) are set.
  image_digest = get_env("IMAGE_DIGEST", "sha256:0000000000000000000000000000000000000000000000000000000000000000")

  certificate_arn = local.env.app_certificate_arn == null ? "" : local.env.app_certificate_arn
}

# Out of every run (run --all and this unit alone) unless the environment runs on ECS Fargate, or is moving off it.
exclude {
  if                   = !contains(concat([local.env.compute_target], local.env.compute_targets_retiring), "ecs-fargate")
  actions              = ["all"]
  no_run               = true
  exclude_dependencies = false
}

terraform {
  before_hook "require_image" {
    commands = ["apply"]
    execute  = ["sh", "-c", "test -n \"$IMAGE_TAG\" && test -n \"$IMAGE_DIGEST\" || { echo 'IMAGE_TAG (the git SHA) and IMAGE_DIGEST (its sha256 digest in ECR) must be set to deploy' >&2; exit 1; }"]
  }

  before_hook "require_certificate" {
    commands = ["apply"]
    execute  = ["sh", "-c", "case '${local.certificate_arn}' in ''|*/00000000-0000-0000-0000-000000000000) echo 'env.hcl app_certificate_arn must be the issued ACM certificate of the public host name, not the placeholder' >&2; exit 1;; esac"]
  }
}

dependency "network" {
  config_path = "${get_terragrunt_dir()}/../network"
  mock_outputs = {
    vpc_id                      = "vpc-00000000000000001"
    private_subnet_ids          = ["subnet-00000000000000001", "subnet-00000000000000002"]
    public_subnet_ids           = ["subnet-00000000000000003", "subnet-00000000000000004"]
    connector_security_group_id = "sg-00000000000000001"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

inputs = {
  image_digest = local.image_digest
  # SIGTERM to SIGKILL: the app drains within SHUTDOWN_TIMEOUT_MS (10 s, app-runtime.hcl); the rest is headroom.
  stop_timeout_seconds         = 30
  deregistration_delay_seconds = 20
  min_capacity                 = local.env.app_min_instances
  max_capacity                 = local.env.app_max_instances
  vpc_id                       = dependency.network.outputs.vpc_id
  private_subnet_ids           = dependency.network.outputs.private_subnet_ids
  public_subnet_ids            = dependency.network.outputs.public_subnet_ids
  # The network's app group (named for the App Runner connector): the database and the ClickHouse endpoint admit it.
  app_security_group_ids = [dependency.network.outputs.connector_security_group_id]
  certificate_arn        = local.env.app_certificate_arn
  deletion_protection    = local.env.app_deletion_protection
  log_retention_days     = local.env.log_retention_days

  # false only in the bring-up rehearsal against moto (REHEARSAL=1): see the module variable.
  autoscaling_enabled = get_env("REHEARSAL", "") != "1"
}
