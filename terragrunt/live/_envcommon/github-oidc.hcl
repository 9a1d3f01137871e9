# GitHub Actions' access to the account (module github-oidc): a read-only plan role trusted for pull requests,
# one deploy role per GitHub environment deploying here, trusted for `environment:<name>` only, and one infra
# role per environment for infra.yml, trusted for `environment:<name>-infra` only (separate reviewers).
locals {
  account = read_terragrunt_config(find_in_parent_folders("account.hcl")).locals
}

dependency "state_backend" {
  config_path = "${get_terragrunt_dir()}/../state-backend"
  mock_outputs = {
    bucket_arn  = "arn:aws:s3:::acme-auth-tfstate-mock"
    kms_key_arn = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

dependency "ecr" {
  config_path = "${get_terragrunt_dir()}/../ecr"
  mock_outputs = {
    repository_arn = "arn:aws:ecr:eu-west-1:111111111111:repository/auth-platform/mock-auth"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  # Terragrunt's default "no_merge" ignores the mocks once the dependency has state, so an output added in the
  # same change would be missing from every plan until the dependency is applied (pkg/config/dependency.go, v1.1.1).
  mock_outputs_merge_strategy_with_state = "shallow"
}

inputs = {
  name_prefix       = "auth-${local.account.account_name}-github"
  github_owner      = "acme"
  github_repository = "auth-platform"
  # Both `sub` forms: repo:acme/auth-platform:... and, for repositories created or renamed since GitHub's
  # immutable subject claims (GitHub Docs, OpenID Connect reference, "Immutable subject claims"),
  # repo:acme@<owner id>/auth-platform@<repository id>:...
  # PLACEHOLDERS: github_owner_id and github_repository_id below are all zeros, which no GitHub account or
  # repository has (ids start at 1; the module accepts digits only, so a placeholder must be digits). Set them at account bootstrap
  # (terragrunt/README.md, "Bootstrap of an account"), by pull request, from
  # `gh api repos/acme/auth-platform --jq '.owner.id, .id'`. A wrong id matches nothing (fails closed).
  subject_format       = "both"
  github_owner_id      = "000000000"  # PLACEHOLDER
  github_repository_id = "0000000000" # PLACEHOLDER
  deploy_environments  = local.account.github_deploy_environments
  infra_environments   = local.account.github_infra_environments
  ecr_repository_arn   = dependency.ecr.outputs.repository_arn
  state_bucket_arn     = dependency.state_backend.outputs.bucket_arn
  state_kms_key_arn    = dependency.state_backend.outputs.kms_key_arn
}
