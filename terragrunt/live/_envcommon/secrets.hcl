# The app's Secrets Manager secrets (module app-secrets): <prefix>/jwt-signing-keys, /database, /database-migration,
# /clickhouse, and the operator-only /clickhouse-admin.
# Terraform creates the containers only; runbook scripts write the values.
locals {
  env     = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  account = read_terragrunt_config(find_in_parent_folders("account.hcl")).locals

  # The reader is the role that reads the app's secrets on the environment's compute target: App Runner's
  # instance role ("<name>-apprunner-instance", apprunner-service) or the ECS task execution role
  # ("<name>-ecs-execution", ecs-fargate-service). It is built from that convention, not read from the app unit,
  # because the app unit needs this unit's secret ARNs (a dependency both ways would be a cycle). A test keeps the
  # name in step with the module and the app unit.
  # The role need not exist yet: app-secrets matches readers by aws:PrincipalArn condition (README, "First bring-up").
  app_reader_role_arns = {
    apprunner     = "arn:aws:iam::${local.account.account_id}:role/auth-${local.env.env}-apprunner-instance"
    "ecs-fargate" = "arn:aws:iam::${local.account.account_id}:role/auth-${local.env.env}-ecs-execution"
  }
}

inputs = {
  name_prefix = "auth/${local.env.env}"
  # The serving target's role, and while an environment moves between targets the retiring one's too.
  reader_role_arns        = [for target in concat([local.env.compute_target], local.env.compute_targets_retiring) : local.app_reader_role_arns[target]]
  recovery_window_in_days = local.env.secret_recovery_window_days
}
