# Every validation block is tripped at least once.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name_prefix         = "auth-nonprod-github"
  github_owner        = "acme"
  github_repository   = "auth-platform"
  deploy_environments = { dev = { apprunner_service_name = "auth-dev" } }
  ecr_repository_arn  = "arn:aws:ecr:eu-west-1:111122223333:repository/auth"
  state_bucket_arn    = "arn:aws:s3:::acme-auth-nonprod-tfstate"
  state_kms_key_arn   = "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"
}

run "rejects_wildcard_repository" {
  command = plan
  variables { github_repository = "*" }
  expect_failures = [var.github_repository]
}

run "rejects_repository_with_owner" {
  command = plan
  variables { github_repository = "acme/auth-platform" }
  expect_failures = [var.github_repository]
}

run "rejects_wildcard_owner" {
  command = plan
  variables { github_owner = "acme*" }
  expect_failures = [var.github_owner]
}

run "rejects_wildcard_environment" {
  command = plan
  variables { deploy_environments = { "*" = { apprunner_service_name = "auth-dev" } } }
  expect_failures = [var.deploy_environments]
}

run "rejects_wildcard_service_name" {
  command = plan
  variables { deploy_environments = { dev = { apprunner_service_name = "auth-*" } } }
  expect_failures = [var.deploy_environments]
}

run "rejects_unknown_subject_format" {
  command = plan
  variables { subject_format = "wildcard" }
  expect_failures = [var.subject_format]
}

run "ids_form_requires_owner_id" {
  command = plan
  variables {
    subject_format       = "ids"
    github_repository_id = "456789"
  }
  expect_failures = [var.github_owner_id]
}

run "ids_form_requires_repository_id" {
  command = plan
  variables {
    subject_format  = "ids"
    github_owner_id = "123456"
  }
  expect_failures = [var.github_repository_id]
}

run "existing_provider_requires_arn" {
  command = plan
  variables { create_oidc_provider = false }
  expect_failures = [var.oidc_provider_arn]
}

run "rejects_bad_thumbprint" {
  command = plan
  variables { oidc_thumbprints = ["not-a-thumbprint"] }
  expect_failures = [var.oidc_thumbprints]
}

run "rejects_bad_name_prefix" {
  command = plan
  variables { name_prefix = "auth github" }
  expect_failures = [var.name_prefix]
}

run "rejects_wildcard_ecr_repository" {
  command = plan
  variables { ecr_repository_arn = "arn:aws:ecr:eu-west-1:111122223333:repository/*" }
  expect_failures = [var.ecr_repository_arn]
}

run "rejects_state_bucket_object_arn" {
  command = plan
  variables { state_bucket_arn = "arn:aws:s3:::acme-auth-nonprod-tfstate/*" }
  expect_failures = [var.state_bucket_arn]
}

run "rejects_state_key_alias" {
  command = plan
  variables { state_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:alias/tfstate" }
  expect_failures = [var.state_kms_key_arn]
}

run "rejects_admin_policy_for_plan" {
  command = plan
  variables { read_only_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"] }
  expect_failures = [var.read_only_policy_arns]
}

run "rejects_non_policy_arn" {
  command = plan
  variables { read_only_policy_arns = ["ReadOnlyAccess"] }
  expect_failures = [var.read_only_policy_arns]
}

run "rejects_session_duration" {
  command = plan
  variables { max_session_duration = 60 }
  expect_failures = [var.max_session_duration]
}

run "rejects_infra_max_session_duration" {
  command = plan
  variables { infra_max_session_duration = 60 }
  expect_failures = [var.infra_max_session_duration]
}

run "rejects_wildcard_infra_environment" {
  command = plan
  variables { infra_environments = { "*" = { iam_name_prefix = "auth-dev" } } }
  expect_failures = [var.infra_environments]
}

run "rejects_wildcard_iam_name_prefix" {
  command = plan
  variables { infra_environments = { dev = { iam_name_prefix = "auth-*" } } }
  expect_failures = [var.infra_environments]
}

run "rejects_admin_policy_for_infra" {
  command = plan
  variables { infra_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"] }
  expect_failures = [var.infra_policy_arns]
}

run "rejects_iam_full_access_for_infra" {
  command = plan
  variables { infra_policy_arns = ["arn:aws:iam::aws:policy/IAMFullAccess"] }
  expect_failures = [var.infra_policy_arns]
}
