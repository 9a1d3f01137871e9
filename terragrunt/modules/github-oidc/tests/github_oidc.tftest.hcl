mock_provider "aws" {
  override_during = plan

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
  }
}

variables {
  name_prefix       = "auth-nonprod-github"
  github_owner      = "acme"
  github_repository = "auth-platform"
  deploy_environments = {
    dev     = { apprunner_service_name = "auth-dev" }
    staging = { apprunner_service_name = "auth-staging" }
  }
  infra_environments = {
    dev     = { iam_name_prefix = "auth-dev" }
    staging = { iam_name_prefix = "auth-staging" }
  }
  ecr_repository_arn = "arn:aws:ecr:eu-west-1:111122223333:repository/auth"
  state_bucket_arn   = "arn:aws:s3:::acme-auth-nonprod-tfstate"
  state_kms_key_arn  = "arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"
}

run "provider_is_created_for_sts_audience" {
  command = plan

  assert {
    condition     = aws_iam_openid_connect_provider.this[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.this[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The provider must be GitHub's issuer with the sts.amazonaws.com client ID."
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.this[0].thumbprint_list) == 0
    error_message = "Thumbprints are left to AWS unless given."
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    error_message = "The created provider's ARN is the output."
  }
}

run "plan_role_trusts_only_pull_requests_of_the_repository" {
  command = plan

  assert {
    condition     = one(data.aws_iam_policy_document.plan_trust.statement[0].principals).type == "Federated" && one(data.aws_iam_policy_document.plan_trust.statement[0].principals).identifiers == toset(["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]) && data.aws_iam_policy_document.plan_trust.statement[0].actions == toset(["sts:AssumeRoleWithWebIdentity"])
    error_message = "The plan role must be assumable only through the GitHub provider."
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.plan_trust.statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:aud"]).test == "StringEquals" && one([for c in data.aws_iam_policy_document.plan_trust.statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:aud"]).values == tolist(["sts.amazonaws.com"])
    error_message = "aud must be pinned to sts.amazonaws.com with StringEquals."
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.plan_trust.statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).test == "StringEquals" && one([for c in data.aws_iam_policy_document.plan_trust.statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).values == tolist(["repo:acme/auth-platform:pull_request"])
    error_message = "sub must be pinned to the repository's pull requests with StringEquals."
  }

  assert {
    condition     = alltrue([for c in data.aws_iam_policy_document.plan_trust.statement[0].condition : !startswith(c.test, "ForAllValues") && !strcontains(c.test, "Like") && alltrue([for v in c.values : !strcontains(v, "*")])])
    error_message = "No ForAllValues, no Like operators and no wildcards in the trust conditions."
  }

  assert {
    condition     = output.plan_subjects == ["repo:acme/auth-platform:pull_request"]
    error_message = "plan_subjects must expose the trusted subject."
  }
}

run "deploy_roles_trust_only_their_environment" {
  command = plan

  assert {
    condition     = toset(keys(aws_iam_role.deploy)) == toset(["dev", "staging"]) && aws_iam_role.deploy["dev"].name == "auth-nonprod-github-deploy-dev"
    error_message = "One deploy role per environment."
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.deploy_trust["dev"].statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).values == tolist(["repo:acme/auth-platform:environment:dev"]) && one([for c in data.aws_iam_policy_document.deploy_trust["staging"].statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).values == tolist(["repo:acme/auth-platform:environment:staging"])
    error_message = "Each deploy role trusts exactly its own environment subject."
  }

  assert {
    condition     = alltrue([for d in data.aws_iam_policy_document.deploy_trust : one([for c in d.statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:aud"]).values == tolist(["sts.amazonaws.com"]) && alltrue([for c in d.statement[0].condition : c.test == "StringEquals"])])
    error_message = "Deploy trust must pin aud and use StringEquals only."
  }

  assert {
    condition     = output.deploy_subjects == { dev = ["repo:acme/auth-platform:environment:dev"], staging = ["repo:acme/auth-platform:environment:staging"] }
    error_message = "deploy_subjects must expose the exact subjects."
  }
}

run "plan_role_is_read_only_with_lockfile_writes" {
  command = plan

  assert {
    condition     = keys(aws_iam_role_policy_attachment.plan_read_only) == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    error_message = "The plan role gets ReadOnlyAccess."
  }

  assert {
    condition     = data.aws_iam_policy_document.plan.statement[1].actions == toset(["s3:GetObject"]) && data.aws_iam_policy_document.plan.statement[1].resources == toset(["arn:aws:s3:::acme-auth-nonprod-tfstate/*"])
    error_message = "The plan role reads state objects."
  }

  assert {
    condition     = data.aws_iam_policy_document.plan.statement[2].actions == toset(["s3:PutObject", "s3:DeleteObject"]) && data.aws_iam_policy_document.plan.statement[2].resources == toset(["arn:aws:s3:::acme-auth-nonprod-tfstate/*.tflock"])
    error_message = "The plan role writes only *.tflock lock files."
  }

  assert {
    condition     = data.aws_iam_policy_document.plan.statement[3].resources == toset(["arn:aws:kms:eu-west-1:111122223333:key/0d3c5a9e-1111-2222-3333-444455556666"]) && !contains(data.aws_iam_policy_document.plan.statement[3].actions, "kms:Encrypt")
    error_message = "The plan role may use only the state key."
  }
}

run "deploy_role_pushes_images_and_updates_its_service_only" {
  command = plan

  assert {
    condition     = one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "PushImage"]).resources == toset(["arn:aws:ecr:eu-west-1:111122223333:repository/auth"]) && contains(one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "PushImage"]).actions, "ecr:PutImage")
    error_message = "Image pushes are limited to the given repository."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "UpdateAppService"]).resources == toset(["arn:aws:apprunner:eu-west-1:111122223333:service/auth-dev/*"]) && !anytrue([for a in one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "UpdateAppService"]).actions : strcontains(a, "*") || a == "apprunner:DeleteService" || a == "apprunner:CreateService"])
    error_message = "The dev deploy role may only update/deploy the auth-dev service, with no wildcard actions."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.deploy["staging"].statement : s if s.sid == "PassAppRunnerRoles"]).resources == toset(["arn:aws:iam::111122223333:role/auth-staging-apprunner-ecr-access", "arn:aws:iam::111122223333:role/auth-staging-apprunner-instance"]) && one(one([for s in data.aws_iam_policy_document.deploy["staging"].statement : s if s.sid == "PassAppRunnerRoles"]).condition).values == tolist(["apprunner.amazonaws.com"])
    error_message = "iam:PassRole is limited to the environment's App Runner roles, passed to App Runner."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "UpdateEcsService"]).resources == toset(["arn:aws:ecs:eu-west-1:111122223333:service/auth-dev/auth-dev"]) && one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "PassEcsRoles"]).resources == toset(["arn:aws:iam::111122223333:role/auth-dev-ecs-execution", "arn:aws:iam::111122223333:role/auth-dev-ecs-task"]) && one(one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "PassEcsRoles"]).condition).values == tolist(["ecs-tasks.amazonaws.com"])
    error_message = "The deploy role may update only its environment's ECS service and pass only its ECS roles, to ECS tasks."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.deploy["dev"].statement : s.resources != toset(["*"]) || s.actions == toset(["ecr:GetAuthorizationToken"]) || s.actions == toset(["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "elasticloadbalancing:DescribeTargetHealth"])])
    error_message = "Only ecr:GetAuthorizationToken and the ECS/ELB actions without resource-level permissions may use Resource \"*\"."
  }

  # ecs:RegisterTaskDefinition and DescribeTaskDefinition take no resource type (AWS
  # Service Authorization Reference, Amazon ECS), so the task definition cannot be scoped by ARN; what scopes an ECS
  # deploy is iam:PassRole: only the environment's execution and task roles, only to ECS tasks.
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.deploy["staging"].statement : (
      s.sid == "PassAppRunnerRoles" || s.sid == "PassEcsRoles"
    ) && alltrue([for r in s.resources : r != "*" && startswith(r, "arn:aws:iam::111122223333:role/auth-staging-")]) && one(s.condition).test == "StringEquals" && one(s.condition).variable == "iam:PassedToService" if contains(s.actions, "iam:PassRole")])
    error_message = "iam:PassRole appears only in the App Runner and ECS statements, on the environment's own roles, with iam:PassedToService."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.deploy["staging"].statement : s if s.sid == "PassEcsRoles"]).resources == toset(["arn:aws:iam::111122223333:role/auth-staging-ecs-execution", "arn:aws:iam::111122223333:role/auth-staging-ecs-task"]) && one([for s in data.aws_iam_policy_document.deploy["staging"].statement : s if s.sid == "RegisterEcsTaskDefinitions"]).actions == toset(["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "elasticloadbalancing:DescribeTargetHealth"])
    error_message = "Each environment's deploy role passes its own ECS roles; only the three actions without resource types use Resource \"*\", and no role may deregister task definitions (skip_destroy keeps them)."
  }

  assert {
    condition     = contains(one([for s in data.aws_iam_policy_document.deploy["dev"].statement : s if s.sid == "PushImage"]).actions, "ecr:DescribeImages")
    error_message = "deploy-app.sh resolves the image digest (image-digest.sh): the deploy role needs ecr:DescribeImages on the repository."
  }

  assert {
    condition     = length(aws_iam_role_policy_attachment.deploy_read_only) == 2
    error_message = "Each deploy role gets the read-only policy for refresh."
  }
}

run "immutable_id_subjects" {
  command = plan

  variables {
    subject_format       = "ids"
    github_owner_id      = "123456"
    github_repository_id = "456789"
  }

  assert {
    condition     = output.plan_subjects == ["repo:acme@123456/auth-platform@456789:pull_request"] && output.deploy_subjects["dev"] == ["repo:acme@123456/auth-platform@456789:environment:dev"]
    error_message = "The ids form embeds the owner and repository IDs."
  }
}

run "both_subject_forms_while_migrating" {
  command = plan

  variables {
    subject_format       = "both"
    github_owner_id      = "123456"
    github_repository_id = "456789"
  }

  assert {
    condition     = output.deploy_subjects["staging"] == ["repo:acme/auth-platform:environment:staging", "repo:acme@123456/auth-platform@456789:environment:staging"]
    error_message = "both trusts the name form and the immutable form of the same subject."
  }
}

run "existing_provider" {
  command = plan

  variables {
    create_oidc_provider = false
    oidc_provider_arn    = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.this) == 0 && one(data.aws_iam_policy_document.plan_trust.statement[0].principals).identifiers == toset(["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"])
    error_message = "An existing provider is used as the federated principal."
  }
}

run "infra_roles_trust_only_their_infra_environment" {
  command = plan

  assert {
    condition     = toset(keys(aws_iam_role.infra)) == toset(["dev", "staging"]) && aws_iam_role.infra["dev"].name == "auth-nonprod-github-infra-dev" && aws_iam_role.infra["staging"].name == "auth-nonprod-github-infra-staging"
    error_message = "One infra role per environment, named <name_prefix>-infra-<env>."
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.infra_trust["dev"].statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).values == tolist(["repo:acme/auth-platform:environment:dev-infra"]) && one([for c in data.aws_iam_policy_document.infra_trust["staging"].statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).values == tolist(["repo:acme/auth-platform:environment:staging-infra"])
    error_message = "Each infra role trusts exactly the <env>-infra environment subject, never the app deploy environment."
  }

  assert {
    condition     = alltrue([for d in data.aws_iam_policy_document.infra_trust : one([for c in d.statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:aud"]).values == tolist(["sts.amazonaws.com"]) && alltrue([for c in d.statement[0].condition : c.test == "StringEquals"]) && one(d.statement[0].principals).identifiers == toset(["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"])])
    error_message = "Infra trust must go through the GitHub provider, pin aud and use StringEquals only."
  }

  assert {
    condition     = output.infra_subjects == { dev = ["repo:acme/auth-platform:environment:dev-infra"], staging = ["repo:acme/auth-platform:environment:staging-infra"] } && length(setintersection(toset(flatten(values(output.infra_subjects))), toset(flatten(values(output.deploy_subjects))))) == 0
    error_message = "infra_subjects must expose the exact subjects, disjoint from the deploy subjects."
  }
}

run "infra_role_permissions_are_scoped" {
  command = plan

  assert {
    condition     = toset([for a in values(aws_iam_role_policy_attachment.infra) : a.policy_arn if a.role == "auth-nonprod-github-infra-dev"]) == toset(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess"])
    error_message = "The infra role gets PowerUserAccess and the read-only policy, and no other managed policy."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.infra["dev"].statement : alltrue([for r in s.resources : r != "*" && !startswith(r, "arn:aws:iam::111122223333:role/auth-nonprod-github")]) && !anytrue([for a in s.actions : a == "iam:*" || a == "*"]) if s.effect == "Allow"])
    error_message = "No Allow statement of the infra policy uses Resource \"*\", iam:* or the GitHub roles."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.infra["dev"].statement : alltrue([for r in s.resources : startswith(r, "arn:aws:iam::111122223333:role/auth-dev-") || startswith(r, "arn:aws:iam::111122223333:policy/auth-dev-") || startswith(r, "arn:aws:iam::111122223333:instance-profile/auth-dev-")]) if s.effect == "Allow" && anytrue([for a in s.actions : startswith(a, "iam:")])])
    error_message = "Every IAM Allow of the dev infra role is limited to names starting auth-dev-."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.infra["staging"].statement : s if s.sid == "PassEnvironmentRoles"]).resources == toset(["arn:aws:iam::111122223333:role/auth-staging-*"]) && toset(one(one([for s in data.aws_iam_policy_document.infra["staging"].statement : s if s.sid == "PassEnvironmentRoles"]).condition).values) == toset(["apprunner.amazonaws.com", "ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "monitoring.rds.amazonaws.com"])
    error_message = "iam:PassRole is limited to the environment's roles, passed to the services the units use."
  }

  assert {
    condition     = toset(one(one([for s in data.aws_iam_policy_document.infra["dev"].statement : s if s.sid == "AttachEnvironmentOrServicePolicies"]).condition).values) == toset(["arn:aws:iam::111122223333:policy/auth-dev-*", "arn:aws:iam::aws:policy/service-role/*"])
    error_message = "Only the environment's own or AWS service-role managed policies may be attached."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.infra["dev"].statement : s if s.sid == "ReadImageDigests"]).actions == toset(["ecr:DescribeImages"]) && one([for s in data.aws_iam_policy_document.infra["dev"].statement : s if s.sid == "ReadImageDigests"]).resources == toset(["arn:aws:ecr:eu-west-1:111122223333:repository/auth"])
    error_message = "infra.yml resolves IMAGE_DIGEST (image-digest.sh): the infra role may describe the images of the one repository, whatever infra_policy_arns says."
  }

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.infra["dev"].statement : s.sid if s.effect == "Deny"]) == toset(["ProtectGitHubTrust", "ProtectStateBucket", "ProtectStateKey", "ProtectRegistry"]) && one([for s in data.aws_iam_policy_document.infra["dev"].statement : s if s.sid == "ProtectStateBucket"]).resources == toset(["arn:aws:s3:::acme-auth-nonprod-tfstate"]) && contains(one([for s in data.aws_iam_policy_document.infra["dev"].statement : s if s.sid == "ProtectRegistry"]).actions, "ecr:DeleteRepository")
    error_message = "The infra role is denied damaging the state bucket, the state key and the registry."
  }

  assert {
    condition     = alltrue([for name, d in data.aws_iam_policy_document.deploy : !anytrue([for s in d.statement : anytrue([for a in s.actions : a == "iam:CreateRole" || a == "iam:PutRolePolicy" || a == "apprunner:CreateService"])])])
    error_message = "The deploy roles stay app-only: no IAM writes, no service creation."
  }
}

run "infra_roles_follow_immutable_subjects" {
  command = plan

  variables {
    subject_format       = "both"
    github_owner_id      = "123456"
    github_repository_id = "456789"
  }

  assert {
    condition     = output.infra_subjects["dev"] == ["repo:acme/auth-platform:environment:dev-infra", "repo:acme@123456/auth-platform@456789:environment:dev-infra"]
    error_message = "The infra trust supports both subject forms."
  }
}

# prod's environment prefix auth-prod covers the GitHub roles auth-prod-github-*: the deny keeps them out of reach.
run "infra_role_cannot_touch_the_github_trust_even_when_prefixes_overlap" {
  command = plan

  variables {
    name_prefix         = "auth-prod-github"
    deploy_environments = { prod = { apprunner_service_name = "auth-prod" } }
    infra_environments  = { prod = { iam_name_prefix = "auth-prod" } }
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.infra["prod"].statement : s if s.sid == "ProtectGitHubTrust"]).effect == "Deny" && one([for s in data.aws_iam_policy_document.infra["prod"].statement : s if s.sid == "ProtectGitHubTrust"]).actions == toset(["iam:*"]) && one([for s in data.aws_iam_policy_document.infra["prod"].statement : s if s.sid == "ProtectGitHubTrust"]).resources == toset(["arn:aws:iam::111122223333:role/auth-prod-github-*", "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"])
    error_message = "Every IAM action on the GitHub roles and the OIDC provider is denied to the infra role."
  }

  assert {
    condition     = aws_iam_role.infra["prod"].name == "auth-prod-github-infra-prod" && startswith(aws_iam_role.infra["prod"].name, "auth-prod-")
    error_message = "The overlap this run guards against is real: the infra role's own name is under its IAM prefix."
  }
}
