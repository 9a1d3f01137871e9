# The app's Secrets Manager secrets (module app-secrets): <prefix>/jwt-signing-keys, /database, /database-migration,
# /clickhouse, and the operator-only /clickhouse-admin.
# Terraform creates the containers only; runbook scripts write the values.
locals {
  env     = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  account = read_terragrunt_config(find_in_parent_folders("account.hcl")).locals

  # The reader is the app's instance role, named by the apprunner-service module "<name>-apprunner-instance".
  # It is built from that convention, not read from the app unit, because the app unit needs this unit's secret
  # ARNs (a dependency both ways would be a cycle). A test keeps the name in step with the module and the app unit.
  # The role need not exist yet: app-secrets matches readers by aws:PrincipalArn condition (README, "First bring-up").
  app_instance_role_arn = "arn:aws:iam::${local.account.account_id}:role/auth-${local.env.env}-apprunner-instance"
}

inputs = {
  name_prefix             = "auth/${local.env.env}"
  reader_role_arns        = [local.app_instance_role_arn]
  recovery_window_in_days = local.env.secret_recovery_window_days
}
