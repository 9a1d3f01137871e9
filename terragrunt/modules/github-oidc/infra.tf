# The infrastructure role: one per environment, for infra.yml (a manual plan + apply of the environment's
# whole stack). It is trusted only for the GitHub environment `<env>-infra`, never for `<env>`, so approving
# an app deploy can never apply infrastructure, and the two get separate reviewers.
#
# Permissions: the managed infra_policy_arns (PowerUserAccess: every service but IAM, Organizations and
# Account) plus the read-only set, and IAM writes limited to the environment's own names
# (`<iam_name_prefix>-*`): roles, inline and managed policies, instance profiles, PassRole to the services the
# platform's units hand roles to. The GitHub roles (`<name_prefix>-*`) and the OIDC provider are denied
# outright, so it cannot widen its own trust; the account-wide units (state, registry) are protected by
# explicit denies too. Whoever can create a role and its inline policy can write any policy
# into it: the reviewers of `<env>-infra` are the control for that, as they are for the plan they approve.

locals {
  infra_subjects = { for env in keys(var.infra_environments) : env => [for prefix in local.repository_prefixes : "${prefix}:environment:${env}-infra"] }

  # Services the platform's units pass their roles to: App Runner (ECR access and instance roles), ECS tasks
  # (ecs-fargate-service's execution and task roles), VPC flow logs, RDS enhanced monitoring.
  infra_passed_to_services = ["apprunner.amazonaws.com", "ecs-tasks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "monitoring.rds.amazonaws.com"]

  infra_policy_attachments = { for pair in setproduct(keys(var.infra_environments), distinct(concat(var.read_only_policy_arns, var.infra_policy_arns))) : "${pair[0]}|${pair[1]}" => { env = pair[0], policy_arn = pair[1] } }
}

data "aws_iam_policy_document" "infra_trust" {
  for_each = var.infra_environments

  statement {
    sid     = "GitHubInfraEnvironment"
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
      values   = local.infra_subjects[each.key]
    }
  }
}

resource "aws_iam_role" "infra" {
  for_each = var.infra_environments

  name                 = "${var.name_prefix}-infra-${each.key}"
  description          = "Applies the ${each.key} infrastructure of ${var.github_owner}/${var.github_repository} (GitHub environment ${each.key}-infra)"
  assume_role_policy   = data.aws_iam_policy_document.infra_trust[each.key].json
  max_session_duration = var.infra_max_session_duration

  tags = merge(var.tags, { GitHubEnvironment = "${each.key}-infra" })
}

resource "aws_iam_role_policy_attachment" "infra" {
  for_each = local.infra_policy_attachments

  role       = aws_iam_role.infra[each.value.env].name
  policy_arn = each.value.policy_arn
}

resource "aws_iam_role_policy" "infra" {
  for_each = var.infra_environments

  name   = "apply-infrastructure"
  role   = aws_iam_role.infra[each.key].id
  policy = data.aws_iam_policy_document.infra[each.key].json
}
