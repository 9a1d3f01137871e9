# The non-production AWS account: environments dev and staging.
# account_id is a placeholder until the account is created; root.hcl turns it into the provider's
# allowed_account_ids, so a wrong value fails closed (no apply can reach another account).
locals {
  account_name = "nonprod"
  account_id   = "111111111111"
  # Region of the account-wide (_global) units: state bucket, ECR, GitHub OIDC.
  home_region = "eu-west-1"
  # The IAM role operators assume to run the runbooks (first secret values, rotations). It is created outside
  # this repository (the account's identity setup); app-secrets lets it write and read the secrets, and nobody
  # else but the environment's infra role and the app. Placeholder name until the account exists.
  operator_role_arn = "arn:aws:iam::111111111111:role/auth-nonprod-operator"
  # GitHub environments that deploy into this account (one deploy role each) and the service each may update.
  # Must match the environment folders under this account; a test checks it.
  github_deploy_environments = {
    dev     = { apprunner_service_name = "auth-dev" }
    staging = { apprunner_service_name = "auth-staging" }
  }
  # Environments with an infra role (infra.yml, GitHub environment <env>-infra) and the prefix of every IAM name
  # their units create (auth-<env>-..., the network and app `name`): the infra role's IAM rights stop there.
  github_infra_environments = {
    dev     = { iam_name_prefix = "auth-dev" }
    staging = { iam_name_prefix = "auth-staging" }
  }
}
