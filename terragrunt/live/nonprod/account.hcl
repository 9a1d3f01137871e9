# The non-production AWS account: environments dev and staging.
# account_id is a placeholder until the account is created; root.hcl turns it into the provider's
# allowed_account_ids, so a wrong value fails closed (no apply can reach another account).
locals {
  account_name = "nonprod"
  account_id   = "111111111111"
  # Region of the account-wide (_global) units: state bucket, ECR, GitHub OIDC.
  home_region = "eu-west-1"
}
