# The production AWS account: environment prod only.
# account_id is a placeholder until the account is created (see nonprod/account.hcl).
locals {
  account_name = "prod"
  account_id   = "222222222222"
  # Region of the account-wide (_global) units: state bucket, ECR, GitHub OIDC.
  home_region = "eu-west-1"
}
