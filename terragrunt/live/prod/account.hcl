# The production AWS account: environment prod only.
# account_id is a placeholder until the account is created (see nonprod/account.hcl).
locals {
  account_name = "prod"
  account_id   = "222222222222"
  # Region of the account-wide (_global) units: state bucket, ECR, GitHub OIDC.
  home_region = "eu-west-1"
  # The IAM role operators assume to run the runbooks (first secret values, rotations). It is created outside
  # this repository (the account's identity setup); app-secrets lets it write and read the secrets, and nobody
  # else but the environment's infra role and the app. Placeholder name until the account exists.
  operator_role_arn = "arn:aws:iam::222222222222:role/auth-prod-operator"
  # GitHub environments that deploy into this account (one deploy role each) and the service each may update.
  # Must match the environment folders under this account; a test checks it.
  github_deploy_environments = {
    prod = { apprunner_service_name = "auth-prod" }
  }
  # Environments with an infra role (infra.yml, GitHub environment <env>-infra) and the prefix of every IAM name
  # their units create (auth-<env>-..., the network and app `name`): the infra role's IAM rights stop there.
  github_infra_environments = {
    prod = { iam_name_prefix = "auth-prod" }
  }
}
