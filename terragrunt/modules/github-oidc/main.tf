data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  issuer   = "token.actions.githubusercontent.com"
  audience = "sts.amazonaws.com"

  # The two forms of the repository part of `sub`. The immutable one cannot be taken over by whoever
  # registers a deleted or renamed owner/repository name.
  repository_subjects = {
    repo = ["repo:${var.github_owner}/${var.github_repository}"]
    ids  = ["repo:${var.github_owner}@${coalesce(var.github_owner_id, "none")}/${var.github_repository}@${coalesce(var.github_repository_id, "none")}"]
  }
  repository_prefixes = var.subject_format == "both" ? concat(local.repository_subjects.repo, local.repository_subjects.ids) : local.repository_subjects[var.subject_format]

  plan_subjects   = [for prefix in local.repository_prefixes : "${prefix}:pull_request"]
  deploy_subjects = { for env in keys(var.deploy_environments) : env => [for prefix in local.repository_prefixes : "${prefix}:environment:${env}"] }

  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.this[0].arn : var.oidc_provider_arn

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id
}

resource "aws_iam_openid_connect_provider" "this" {
  count = var.create_oidc_provider ? 1 : 0

  url             = "https://${local.issuer}"
  client_id_list  = [local.audience]
  thumbprint_list = length(var.oidc_thumbprints) > 0 ? var.oidc_thumbprints : null

  tags = var.tags
}

################################################################################
# Trust: aud and sub pinned with StringEquals, never ForAllValues, never a wildcard
################################################################################

data "aws_iam_policy_document" "plan_trust" {
  statement {
    sid     = "GitHubPullRequests"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = [local.audience]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = local.plan_subjects
    }
  }
}

data "aws_iam_policy_document" "deploy_trust" {
  for_each = var.deploy_environments

  statement {
    sid     = "GitHubEnvironment"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = [local.audience]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = local.deploy_subjects[each.key]
    }
  }
}

################################################################################
# Roles
################################################################################

resource "aws_iam_role" "plan" {
  name                 = "${var.name_prefix}-plan"
  description          = "Read-only Terraform plan for pull requests of ${var.github_owner}/${var.github_repository}"
  assume_role_policy   = data.aws_iam_policy_document.plan_trust.json
  max_session_duration = var.max_session_duration

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  for_each = toset(var.read_only_policy_arns)

  role       = aws_iam_role.plan.name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "plan" {
  name   = "terraform-state-plan"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}

resource "aws_iam_role" "deploy" {
  for_each = var.deploy_environments

  name                 = "${var.name_prefix}-deploy-${each.key}"
  description          = "Deploys ${var.github_owner}/${var.github_repository} to the ${each.key} environment"
  assume_role_policy   = data.aws_iam_policy_document.deploy_trust[each.key].json
  max_session_duration = var.max_session_duration

  tags = merge(var.tags, { GitHubEnvironment = each.key })
}

resource "aws_iam_role_policy_attachment" "deploy_read_only" {
  for_each = { for pair in setproduct(keys(var.deploy_environments), var.read_only_policy_arns) : "${pair[0]}|${pair[1]}" => { env = pair[0], policy_arn = pair[1] } }

  role       = aws_iam_role.deploy[each.value.env].name
  policy_arn = each.value.policy_arn
}

resource "aws_iam_role_policy" "deploy" {
  for_each = var.deploy_environments

  name   = "deploy-app"
  role   = aws_iam_role.deploy[each.key].id
  policy = data.aws_iam_policy_document.deploy[each.key].json
}
