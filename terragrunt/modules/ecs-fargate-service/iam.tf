locals {
  # `<arn>:url::` reads one JSON key of the secret; IAM needs the bare secret ARN (first 7 fields).
  secret_arns = distinct([for reference in values(var.runtime_environment_secrets) : join(":", slice(split(":", reference), 0, 7))])
}

# Both roles are assumed by ECS tasks of this account only (confused-deputy guard).
data "aws_iam_policy_document" "tasks_trust" {
  statement {
    sid     = "EcsTasksOfThisAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

################################################################################
# Execution role: used by ECS (not the app) to pull the image, write the logs and inject the secrets
################################################################################

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-ecs-execution"
  description          = "Lets ECS start ${var.name} tasks: image pull, container logs, the task's secrets"
  assume_role_policy   = data.aws_iam_policy_document.tasks_trust.json
  max_session_duration = 3600

  tags = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "PullFromThisRepository"
    effect    = "Allow"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [var.repository_arn]
  }

  # GetAuthorizationToken is account-wide: AWS does not support resource-level permissions for it.
  statement {
    sid       = "RegistryLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "WriteThisLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.secret_arns) > 0 ? [1] : []

    content {
      sid       = "ReadTheseSecrets"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.secret_arns) > 0 && length(var.secrets_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptTheseSecrets"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-tasks"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

################################################################################
# Task role: the identity of the running container. The app calls no AWS API (its secrets arrive as
# environment variables), so the role has no policy at all.
################################################################################

resource "aws_iam_role" "task" {
  name                 = "${var.name}-ecs-task"
  description          = "Runtime identity of the ${var.name} ECS tasks (no permissions: the app calls no AWS API)"
  assume_role_policy   = data.aws_iam_policy_document.tasks_trust.json
  max_session_duration = 3600

  tags = var.tags
}
