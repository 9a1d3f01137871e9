# The production AWS account: environment prod only.
# account_id is a placeholder until the account is created (see nonprod/account.hcl).
locals {
  account_name = "prod"
  account_id   = "222222222222"
  # Region of the account-wide (_global) units: state bucket, ECR, GitHub OIDC.
  home_region = "eu-west-1"
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
