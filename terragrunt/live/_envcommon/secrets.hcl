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
  # The writers: the environment's infra role (module github-oidc names it <name_prefix>-infra-<env>, with
  # name_prefix auth-<account>-github from _envcommon/github-oidc.hcl) and the operators' role (account.hcl),
  # which puts the first values (runbooks/new-environment.md) and runs every rotation runbook.
  infra_role_arn = "arn:aws:iam::${local.account.account_id}:role/auth-${local.account.account_name}-github-infra-${local.env.env}"
}

inputs = {
  name_prefix = "auth/${local.env.env}"
  # The serving target's role, and while an environment moves between targets the retiring one's too.
  reader_role_arns = [for target in concat([local.env.compute_target], local.env.compute_targets_retiring) : local.app_reader_role_arns[target]]
  writer_role_arns = [local.infra_role_arn, local.account.operator_role_arn]
  # Operators also read the operator-only clickhouse-admin secret (the ClickHouse rotation runbook).
  admin_role_arns = [local.account.operator_role_arn]
  # A disposable environment (env.hcl) deletes secrets at once, so a teardown and rebuild can re-create them;
  # the others keep deleted secrets recoverable for the env.hcl window.
  recovery_window_in_days = local.env.disposable ? 0 : local.env.secret_recovery_window_days
}
